import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../src/bus/schedule.js';
import { codeOf } from '../helpers/errors.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const nexts = (expr: string, from: string, n: number): (string | null)[] => {
  const s = parseSchedule(expr);
  const out: (string | null)[] = [];
  let t: number | null = at(from);
  for (let i = 0; i < n && t !== null; i++) out.push(iso((t = s.next(t))));
  return out;
};

describe('schedule expressions (UTC)', () => {
  it("rate(): every period after the given time; EventBridge's singular/plural rule", () => {
    expect(nexts('rate(5 minutes)', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-01T00:05:00.000Z',
      '2026-01-01T00:10:00.000Z',
    ]);
    expect(nexts('rate(1 hour)', '2026-01-01T00:30:00Z', 1)).toEqual(['2026-01-01T01:30:00.000Z']);
    expect(nexts('rate(2 days)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-03T00:00:00.000Z']);
  });

  it('cron(): fields, lists, ranges, steps and names', () => {
    expect(nexts('cron(0 12 * * ? *)', '2026-03-01T12:00:00Z', 2)).toEqual([
      '2026-03-02T12:00:00.000Z',
      '2026-03-03T12:00:00.000Z',
    ]);
    expect(nexts('cron(0/15 * * * ? *)', '2026-03-01T10:07:00Z', 3)).toEqual([
      '2026-03-01T10:15:00.000Z',
      '2026-03-01T10:30:00.000Z',
      '2026-03-01T10:45:00.000Z',
    ]);
    // 18:00 Monday to Friday (2026-03-06 is a Friday).
    expect(nexts('cron(0 18 ? * MON-FRI *)', '2026-03-06T18:00:00Z', 2)).toEqual([
      '2026-03-09T18:00:00.000Z',
      '2026-03-10T18:00:00.000Z',
    ]);
    expect(nexts('cron(30 8 1 JAN,JUL ? 2027)', '2026-03-01T00:00:00Z', 3)).toEqual([
      '2027-01-01T08:30:00.000Z',
      '2027-07-01T08:30:00.000Z',
      null,
    ]);
  });

  it('cron(): L, W and # days', () => {
    expect(nexts('cron(0 0 L * ? *)', '2026-02-10T00:00:00Z', 2)).toEqual([
      '2026-02-28T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
    ]);
    // The 15th of August 2026 is a Saturday: the nearest weekday is Friday the 14th.
    expect(nexts('cron(0 9 15W 8 ? 2026)', '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-08-14T09:00:00.000Z',
    ]);
    // Second Tuesday of the month (3 = TUE).
    expect(nexts('cron(0 10 ? * 3#2 *)', '2026-03-01T00:00:00Z', 2)).toEqual([
      '2026-03-10T10:00:00.000Z',
      '2026-04-14T10:00:00.000Z',
    ]);
    // Last Friday of the month.
    expect(nexts('cron(0 10 ? * 6L *)', '2026-03-01T00:00:00Z', 1)).toEqual([
      '2026-03-27T10:00:00.000Z',
    ]);
  });

  it('rejects invalid expressions with the reason', async () => {
    for (const bad of [
      'rate(1 minutes)',
      'rate(5 minute)',
      'rate(0 minutes)',
      'rate(5 weeks)',
      'cron(0 12 * * * *)',
      'cron(0 12 ? * ? *)',
      'cron(60 * * * ? *)',
      'cron(0 12 * *)',
      'every 5 minutes',
    ]) {
      expect(await codeOf(Promise.resolve().then(() => parseSchedule(bad)))).toBe(
        'ValidationException',
      );
    }
  });
});
