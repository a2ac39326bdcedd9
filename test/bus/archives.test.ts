import { describe, expect, it } from 'vitest';
import { MAX_RETENTION_DAYS } from '../../src/bus/archives.js';
import { useTestBallast } from '../helpers/ballast.js';
import { codeOf } from '../helpers/errors.js';

describe('archive retention', () => {
  const t = useTestBallast();

  it('takes 0 (forever) to 36,500 days on create and update; more is a ValidationException', async () => {
    const busArn = t.b.bus.busArn('default');
    expect(MAX_RETENTION_DAYS).toBe(36_500);
    expect(
      await codeOf(
        t.b.bus.archives.create('too-long', busArn, { retentionDays: MAX_RETENTION_DAYS + 1 }),
      ),
    ).toBe('ValidationException');
    expect(await codeOf(t.b.bus.archives.create('huge', busArn, { retentionDays: 2 ** 40 }))).toBe(
      'ValidationException',
    );
    await t.b.bus.archives.create('century', busArn, { retentionDays: MAX_RETENTION_DAYS });
    expect((await t.b.bus.archives.describe('century')).retentionDays).toBe(MAX_RETENTION_DAYS);
    expect(await codeOf(t.b.bus.archives.update('century', { retentionDays: 1e9 }))).toBe(
      'ValidationException',
    );
    expect(await codeOf(t.b.bus.archives.update('century', { retentionDays: -1 }))).toBe(
      'ValidationException',
    );
    await t.b.bus.archives.update('century', { retentionDays: 0 });
    expect((await t.b.bus.archives.describe('century')).retentionDays).toBe(0);
  });
});
