/** How the PostgreSQL driver classifies `pg` errors: outages (retryable StoreUnavailable) versus bugs. */
import { describe, expect, it } from 'vitest';
import {
  environmentFailure,
  isUnavailable,
  toStoreError,
} from '../../src/store/postgres/core/errors.js';

const pgError = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('postgres error mapping', () => {
  it.each([
    ['53100', /disk is full \(SQLSTATE 53100/],
    ['53200', /out of memory/],
    ['58030', /I\/O error/],
    ['25006', /read-only/],
  ])('SQLSTATE %s is an outage: StoreUnavailable naming the cause', (code, message) => {
    const mapped = toStoreError(pgError(code), 'send');
    expect(mapped.code).toBe('StoreUnavailable');
    expect(mapped.message).toMatch(message);
    expect(environmentFailure(mapped)?.code).toBe(code);
    expect(isUnavailable(pgError(code))).toBe(true);
  });

  it('a lost connection is an outage with its socket code', () => {
    expect(environmentFailure(pgError('ECONNREFUSED'))).toEqual({
      code: 'ECONNREFUSED',
      reason: 'PostgreSQL cannot be reached',
    });
    expect(toStoreError(pgError('ECONNRESET')).code).toBe('StoreUnavailable');
  });

  it('SQL errors stay InternalError and are not outages', () => {
    for (const code of ['23505', '42P01', '22P02']) {
      expect(toStoreError(pgError(code)).code).toBe('InternalError');
      expect(environmentFailure(pgError(code))).toBeNull();
    }
  });
});
