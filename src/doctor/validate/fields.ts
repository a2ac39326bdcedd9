import * as v from 'valibot';
import {
  type ConfigStyle,
  duplicates,
  fields,
  type FieldsOptions,
  isPlainObject,
  leaf,
  list,
  type ObjectOutput,
  type Report,
} from '../../core/config/schema.js';
import { TOPOLOGY_LIMITS } from './limits.js';
import { didYouMean, shown } from './problems.js';

/** Longest name of anything in a topology. */
export const MAX_NAME_LENGTH = 256;
// Names must read the same in a terminal as in the file: printable, no line breaks.
const NAME = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u;

/** How topology problems are worded: unknown fields after the others, suggestions in quotes. */
export const STYLE: ConfigStyle = {
  notObject: (got) => `must be an object (got ${shown(got)})`,
  unknownFields: 'last',
  name: (known) => `"${known}"`,
};

/** Whether `value` is a valid name (what `name()` accepts). */
export function isName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_NAME_LENGTH &&
    NAME.test(value)
  );
}

/** A printable name of 1–256 characters. */
export function name(): v.GenericSchema<unknown, string> {
  return leaf(
    isName,
    (got) =>
      `must be a non-empty string of at most ${MAX_NAME_LENGTH} printable characters (got ${shown(got)})`,
  );
}

/** Free text (descriptions) of at most `max` characters. */
export function text(max = 2_000): v.GenericSchema<unknown, string> {
  return leaf(
    (x) => typeof x === 'string' && x.length <= max,
    (got) =>
      `must be a string of at most ${max.toLocaleString('en-US')} characters (got ${shown(got)})`,
  );
}

/** A whole number in [min, max]; `unit` names it in the message (`ms`, `seconds`). */
export function int(min: number, max: number, unit = ''): v.GenericSchema<unknown, number> {
  const range =
    min === 1
      ? `a positive integer of at most ${max.toLocaleString('en-US')}`
      : `an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
  return leaf(
    (x) => Number.isSafeInteger(x) && (x as number) >= min && (x as number) <= max,
    (got) => `must be ${range}${unit === '' ? '' : ` ${unit}`} (got ${shown(got)})`,
  );
}

/** A number in (0, max] — ratios. */
export function fraction(max: number): v.GenericSchema<unknown, number> {
  return leaf(
    (x) => typeof x === 'number' && x > 0 && x <= max,
    (got) => `must be a number above 0 and at most ${max} (got ${shown(got)})`,
  );
}

/** true or false. */
export function bool(): v.GenericSchema<unknown, boolean> {
  return leaf(
    (x) => typeof x === 'boolean',
    (got) => `must be true or false (got ${shown(got)})`,
  );
}

/** One of `choices`, with the closest one suggested. */
export function choice<const T extends string>(choices: readonly T[]): v.GenericSchema<unknown, T> {
  return leaf(
    (x) => typeof x === 'string' && (choices as readonly string[]).includes(x),
    (got) =>
      `must be one of ${choices.map((c) => `"${c}"`).join(', ')} (got ${shown(got)})${typeof got === 'string' ? didYouMean(got, choices) : ''}`,
  );
}

/** An object with the fields `entries`, worded the topology's way. */
export function object<const E extends v.ObjectEntries>(
  entries: E,
  options: FieldsOptions<E> = {},
) {
  return fields(entries, STYLE, options);
}

/** An array of at most `max` items, each checked by `item`. */
export function items<T>(
  item: v.GenericSchema<unknown, T>,
  max: number = TOPOLOGY_LIMITS.maxItems,
  check?: (items: readonly unknown[], report: Report) => void,
) {
  const message = (got: unknown): string =>
    `must be an array of at most ${max.toLocaleString('en-US')} items (got ${Array.isArray(got) ? `${got.length} items` : shown(got)})`;
  return list(item, { max, message, ...(check ? { check } : {}) });
}

/** An element of a named list: a required `name` first, then `entries`, then an optional `description`. */
export function named<const E extends v.ObjectEntries>(
  entries: E,
  options: FieldsOptions<E & { name: v.GenericSchema<unknown, string> }> = {},
): v.GenericSchema<unknown, ObjectOutput<E> & { name: string; description?: string }> {
  const all: v.ObjectEntries = { name: name(), ...entries, description: v.optional(text()) };
  return fields(all, STYLE, options as FieldsOptions<v.ObjectEntries>) as v.GenericSchema<
    unknown,
    ObjectOutput<E> & { name: string; description?: string }
  >;
}

/** Options of `namedList`. */
export interface NamedListOptions {
  /** What must be unique, when not the name (`bus/name` for rules); undefined for an element too broken to say. */
  readonly uniqueKey?: (item: Readonly<Record<string, unknown>>) => string | undefined;
  /** More checks across the elements. */
  readonly check?: (items: readonly unknown[], report: Report) => void;
}

/**
 * The list `key` of the topology, of `named` elements whose names (or `uniqueKey`s) must be
 * unique; `what` names them in errors.
 */
export function namedList<T>(
  key: string,
  what: string,
  item: v.GenericSchema<unknown, T>,
  options: NamedListOptions = {},
) {
  return items(item, TOPOLOGY_LIMITS.maxItems, (elements, report) => {
    options.check?.(elements, report);
    const keys = elements.map((e) =>
      isPlainObject(e) && isName(e['name']) ? (options.uniqueKey?.(e) ?? e['name']) : undefined,
    );
    for (const { index, first } of duplicates(keys))
      report(
        [index, 'name'],
        `duplicates the ${what} name "${keys[index]}" of ${key}[${first}].name`,
      );
  });
}

/** `fields` without its undefined members (optional properties stay absent, not `undefined`). */
export function defined<T extends Record<string, unknown>>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
