import { BallastError } from '../core/errors.js';

/** A parsed schedule: when it fires next, strictly after a time. */
export interface Schedule {
  /** The expression as given. */
  readonly expression: string;
  /** Epoch ms of the first firing strictly after `after` (UTC), or null if there is none (a past year range). */
  next(after: number): number | null;
}

const MINUTE = 60_000;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const invalid = (expression: string, why: string): never => {
  throw new BallastError(
    'ValidationException',
    `Parameter ScheduleExpression is not valid: ${why} (${expression}).`,
  );
};

/**
 * Parses EventBridge's `rate(5 minutes)` and `cron(min hour day-of-month month day-of-week year)`
 * (UTC; `*`, `,`, `-`, `/`, `?`, `L`, `W`, `#`, names JAN–DEC and SUN–SAT). Throws `ValidationException`.
 */
export function parseSchedule(expression: string): Schedule {
  if (typeof expression !== 'string' || expression.length > 256)
    invalid(String(expression), 'at most 256 characters');
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!;
    if (value < 1) invalid(expression, 'the rate must be a positive whole number');
    // EventBridge's wording rule: 1 takes the singular, more the plural.
    if ((value === 1) !== !unit.endsWith('s'))
      invalid(
        expression,
        value === 1 ? 'use the singular unit for 1' : 'use the plural unit for more than 1',
      );
    const ms =
      value *
      (unit.startsWith('minute') ? MINUTE : unit.startsWith('hour') ? 60 * MINUTE : 1440 * MINUTE);
    return { expression, next: (after) => after + ms };
  }
  const cron = CRON.exec(expression);
  if (!cron)
    return invalid(
      expression,
      'expected rate(value unit) or cron(minutes hours day-of-month month day-of-week year)',
    );
  return parseCron(expression, cron[1]!.trim().split(/\s+/));
}

interface DayRule {
  /** Plain day set, or null when a special (L, W, #, ?) decides. */
  readonly set: Set<number> | null;
  readonly special: ((y: number, m: number, d: number) => boolean) | null;
  readonly any: boolean;
}

function parseCron(expression: string, f: string[]): Schedule {
  if (f.length !== 6)
    invalid(expression, 'cron needs 6 fields: minutes hours day-of-month month day-of-week year');
  const [minF, hourF, domF, monF, dowF, yearF] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const minutes = field(expression, minF, 0, 59);
  const hours = field(expression, hourF, 0, 23);
  const months = field(expression, monF, 1, 12, MONTHS, 1);
  const years = field(expression, yearF, 1970, 2199);
  if ((domF === '?') === (dowF === '?'))
    invalid(expression, 'exactly one of day-of-month and day-of-week must be ?');
  const dom = domRule(expression, domF);
  const dow = dowRule(expression, dowF);
  const dayMatches = (y: number, m: number, d: number): boolean => {
    const rule = domF === '?' ? dow : dom;
    const value = domF === '?' ? new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1 : d;
    return rule.any || (rule.set ? rule.set.has(value) : rule.special!(y, m, d));
  };
  const sortedHours = [...hours].sort((a, b) => a - b);
  const sortedMinutes = [...minutes].sort((a, b) => a - b);
  return {
    expression,
    next(after) {
      const start = new Date(Math.floor(after / MINUTE) * MINUTE + MINUTE);
      let y = start.getUTCFullYear();
      let m = start.getUTCMonth() + 1;
      let d = start.getUTCDate();
      let firstDay = true;
      // Walk days (at most to the last allowed year); within a matching day, the first allowed hour:minute.
      for (let guard = 0; guard < 366 * 240; guard++) {
        if (y > 2199) return null;
        if (years.has(y) && months.has(m) && d <= daysIn(y, m) && dayMatches(y, m, d)) {
          for (const h of sortedHours) {
            if (firstDay && h < start.getUTCHours()) continue;
            for (const min of sortedMinutes) {
              if (firstDay && h === start.getUTCHours() && min < start.getUTCMinutes()) continue;
              return Date.UTC(y, m - 1, d, h, min);
            }
          }
        }
        firstDay = false;
        d++;
        if (d > daysIn(y, m)) {
          d = 1;
          m++;
          if (m > 12) {
            m = 1;
            y++;
          }
        }
      }
      return null;
    },
  };
}

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** A numeric cron field: `*`, lists, ranges, steps, names. */
function field(
  expression: string,
  text: string,
  min: number,
  max: number,
  names?: string[],
  nameBase = 0,
): Set<number> {
  const out = new Set<number>();
  const value = (v: string): number => {
    const named = names?.indexOf(v.toUpperCase()) ?? -1;
    const n = named >= 0 ? named + nameBase : /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max)
      invalid(expression, `${v} is not in ${min}–${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) invalid(expression, `bad step in ${part}`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      [lo, hi] = [value(a), value(b)];
      if (lo > hi) invalid(expression, `range ${range} runs backwards`);
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max;
    }
    for (let n = lo; n <= hi; n += step) out.add(n);
  }
  return out;
}

function domRule(expression: string, text: string): DayRule {
  if (text === '?') return { set: null, special: null, any: true };
  if (text === 'L') return { set: null, special: (y, m, d) => d === daysIn(y, m), any: false };
  const w = /^(\d+)W$/.exec(text);
  if (w) {
    const target = Number(w[1]);
    if (target < 1 || target > 31) invalid(expression, `${text} is not a day of the month`);
    // The weekday nearest the given day, inside the same month.
    return { set: null, special: (y, m, d) => d === nearestWeekday(y, m, target), any: false };
  }
  if (text === '*') return { set: null, special: null, any: true };
  return { set: field(expression, text, 1, 31), special: null, any: false };
}

function dowRule(expression: string, text: string): DayRule {
  if (text === '?') return { set: null, special: null, any: true };
  if (text === '*') return { set: null, special: null, any: true };
  const hash = /^([1-7]|[A-Za-z]{3})#([1-5])$/.exec(text);
  if (hash) {
    const day = field(expression, hash[1]!, 1, 7, DAYS, 1).values().next().value!;
    const nth = Number(hash[2]);
    return {
      set: null,
      special: (y, m, d) =>
        new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1 === day && Math.ceil(d / 7) === nth,
      any: false,
    };
  }
  const last = /^([1-7]|[A-Za-z]{3})L$/.exec(text);
  if (last) {
    const day = field(expression, last[1]!, 1, 7, DAYS, 1).values().next().value!;
    return {
      set: null,
      special: (y, m, d) =>
        new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1 === day && d + 7 > daysIn(y, m),
      any: false,
    };
  }
  if (text === 'L') return { set: new Set([7]), special: null, any: false };
  return { set: field(expression, text, 1, 7, DAYS, 1), special: null, any: false };
}

function nearestWeekday(y: number, m: number, day: number): number {
  const d = Math.min(day, daysIn(y, m));
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  if (wd >= 1 && wd <= 5) return d;
  if (wd === 6) return d === 1 ? 3 : d - 1; // Saturday: Friday, unless that leaves the month
  return d === daysIn(y, m) ? d - 2 : d + 1; // Sunday: Monday, unless that leaves the month
}
