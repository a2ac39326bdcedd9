import { TOPOLOGY_LIMITS } from './limits.js';
import { didYouMean, type Problems, shown } from './problems.js';

/** Longest name of anything in a topology. */
export const MAX_NAME_LENGTH = 256;
// Names must read the same in a terminal as in the file: printable, no line breaks.
const NAME = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u;
const KEY = /^[A-Za-z_$][\w$]*$/;
const MAX_ITEMS = TOPOLOGY_LIMITS.maxItems;

/** The path of `key` under `base` (`services[0].calls`, or `x["odd key"]`). */
export function childPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const part = KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (base === '') return part;
  return part.startsWith('[') ? `${base}${part}` : `${base}.${part}`;
}

/**
 * Reads the fields of one JSON object at `path`, reporting every bad value to `problems`.
 * Each read marks its key as known, so `done()` can report the rest as unknown fields.
 */
export class Fields {
  readonly #read = new Set<string>();

  private constructor(
    readonly value: Readonly<Record<string, unknown>>,
    readonly path: string,
    readonly problems: Problems,
  ) {}

  /** `value` as an object to read, or undefined (reported) when it is not one. */
  static of(value: unknown, path: string, problems: Problems): Fields | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return new Fields(value as Record<string, unknown>, path, problems);
    problems.add(path, `must be an object (got ${shown(value)})`);
    return undefined;
  }

  /** The path of one of this object's fields. */
  at(key: string): string {
    return childPath(this.path, key);
  }

  /** Reports `message` against field `key`. */
  fail(key: string, message: string): void {
    this.problems.add(this.at(key), message);
  }

  /** Whether the field is present (marks it known). */
  has(key: string): boolean {
    this.#read.add(key);
    return this.value[key] !== undefined;
  }

  /** A raw field value (marks it known). */
  raw(key: string): unknown {
    this.#read.add(key);
    return this.value[key];
  }

  /** A printable name of 1–256 characters. */
  name(key: string, required: true): string;
  name(key: string, required?: boolean): string | undefined;
  name(key: string, required = false): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return this.missing(key, required);
    if (typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME_LENGTH && NAME.test(v)) return v;
    this.fail(key, `must be a non-empty string of at most ${MAX_NAME_LENGTH} printable characters (got ${shown(v)})`);
    return undefined;
  }

  /** Free text (descriptions) of at most `max` characters. */
  text(key: string, max = 2_000): string | undefined {
    const v = this.raw(key);
    if (v === undefined || (typeof v === 'string' && v.length <= max)) return v;
    this.fail(key, `must be a string of at most ${max.toLocaleString('en-US')} characters (got ${shown(v)})`);
    return undefined;
  }

  /** A whole number in [min, max]; `unit` names it in the message (`ms`, `seconds`). */
  int(key: string, min: number, max: number, unit = '', required = false): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return this.missing(key, required);
    if (Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max) return v as number;
    const range = min === 1 ? `a positive integer of at most ${max.toLocaleString('en-US')}` : `an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
    this.fail(key, `must be ${range}${unit === '' ? '' : ` ${unit}`} (got ${shown(v)})`);
    return undefined;
  }

  /** A number in (0, max] — ratios. */
  fraction(key: string, max: number): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v === 'number' && v > 0 && v <= max) return v;
    this.fail(key, `must be a number above 0 and at most ${max} (got ${shown(v)})`);
    return undefined;
  }

  /** true or false. */
  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined || typeof v === 'boolean') return v;
    this.fail(key, `must be true or false (got ${shown(v)})`);
    return undefined;
  }

  /** One of `choices`. */
  choice<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
    const hint = typeof v === 'string' ? didYouMean(v, choices) : '';
    this.fail(key, `must be one of ${choices.map((c) => `"${c}"`).join(', ')} (got ${shown(v)})${hint}`);
    return undefined;
  }

  /** A nested object, or undefined (reported when present but not an object). */
  object(key: string): Fields | undefined {
    const v = this.raw(key);
    return v === undefined ? undefined : Fields.of(v, this.at(key), this.problems);
  }

  /** The items of an array field (absent = none), each with its path. */
  items(key: string, max = 10_000): { value: unknown; path: string }[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length > max) {
      this.fail(key, `must be an array of at most ${max.toLocaleString('en-US')} items (got ${Array.isArray(v) ? `${v.length} items` : shown(v)})`);
      return [];
    }
    return v.map((value: unknown, i) => ({ value, path: childPath(this.at(key), i) }));
  }

  /** Reports every field no read asked for, with the closest known name. */
  done(): void {
    for (const key of Object.keys(this.value)) {
      if (!this.#read.has(key)) this.fail(key, `is not a known field${didYouMean(key, this.#read)}`);
    }
  }

  private missing(key: string, required: boolean): undefined {
    if (required) this.fail(key, 'is required');
    return undefined;
  }
}

/**
 * Reads each object of the list `key` of `root`: its required `name` first, then `read` for the
 * rest. Names (or `uniqueBy` of what `read` returns) must be unique; `what` names them in errors.
 */
export function eachNamed<T>(
  root: Fields,
  key: string,
  what: string,
  read: (f: Fields, name: string | undefined, path: string) => T | undefined,
  uniqueBy?: (item: T) => string,
): T[] {
  const out: T[] = [];
  const names: { name: string | undefined; path: string }[] = [];
  for (const item of root.items(key, MAX_ITEMS)) {
    const f = Fields.of(item.value, item.path, root.problems);
    if (f === undefined) continue;
    const name = f.name('name', true);
    const result = read(f, name, item.path);
    f.text('description');
    f.done();
    names.push({ name: result !== undefined && uniqueBy ? uniqueBy(result) : name, path: f.at('name') });
    if (result !== undefined && name !== undefined) out.push(result);
  }
  uniqueNames(names, what, root.problems);
  return out;
}

/** `fields` without its undefined members (optional properties stay absent, not `undefined`). */
export function defined<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** Reports duplicates among `names` (with their paths): the second and later of each name. */
export function uniqueNames(entries: readonly { name: string | undefined; path: string }[], what: string, problems: Problems): void {
  const first = new Map<string, string>();
  for (const { name, path } of entries) {
    if (name === undefined) continue;
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, path);
    else problems.add(path, `duplicates the ${what} name "${name}" of ${earlier}`);
  }
}
