/**
 * Building blocks for config schemas, on valibot: a schema is also the TypeScript type of what it
 * accepts, every check carries our own message (so errors keep their wording), and each issue
 * knows its path. valibot is modular and dependency-free, and runs on Node 20.
 * `validateConfig` (./validate.js) turns the issues into `{ path, message }` problems.
 */
import * as v from 'valibot';
import { suggest } from '../suggest.js';
import { didYouMeanHint } from './problems.js';

/** How one config words the problems every object shares. */
export interface ConfigStyle {
  /** The message for a value that is not an object, given the value. */
  readonly notObject: (got: unknown) => string;
  /** Whether an object's unknown fields are reported before or after its other problems. */
  readonly unknownFields: 'first' | 'last';
  /** How `(did you mean …?)` writes a known name (bare, or quoted). */
  readonly name: (known: string) => string;
}

/** A key of an object field (string) or of an array item (number). */
export type Key = string | number;

/** Reports `message` at `at`, a path relative to the value being checked (`[]`: the value itself). */
export type Report = (at: readonly Key[], message: string) => void;

/** What an object's own check (`FieldsOptions.check`) sees: run after its fields, whatever they held. */
export interface FieldCheck<E extends v.ObjectEntries> {
  /** The object, as given. */
  readonly input: Readonly<Record<string, unknown>>;
  /** Whether the field is present (not undefined). */
  has(key: keyof E & string): boolean;
  /** The field's value when its own schema accepts it; undefined otherwise. */
  valid<K extends keyof E & string>(key: K): v.InferOutput<E[K]> | undefined;
  readonly report: Report;
  /** Reports a problem at `at` (the whole object by default), listed after the problems of field `after`. */
  reportAfter(after: keyof E & string, message: string, at?: readonly Key[]): void;
}

/** What `fields(entries)` accepts, as a TypeScript type. */
export type ObjectOutput<E extends v.ObjectEntries> = v.InferOutput<v.ObjectSchema<E, undefined>>;

/** Options of `fields`. */
export interface FieldsOptions<E extends v.ObjectEntries> {
  /** The message of a missing required field, when not `is required`. */
  readonly required?: { readonly [K in keyof E]?: string };
  /** Checks across fields (one excludes another, one bounds another). */
  readonly check?: (fields: FieldCheck<E>) => void;
}

/**
 * A JSON object with the fields `entries`; any other field is reported as unknown, with the
 * closest known name. Fields are required unless `v.optional`. Problems come field by field in
 * the order of `entries` (a field's cross-field problems after its own), then those of the
 * object as a whole; unknown fields first or last as `style` says.
 */
export function fields<const E extends v.ObjectEntries>(
  entries: E,
  style: ConfigStyle,
  options: FieldsOptions<E> = {},
): v.GenericSchema<unknown, ObjectOutput<E>> {
  const known = Object.keys(entries);
  const required = options.required as Readonly<Record<string, string>> | undefined;
  const missing = (issue: v.BaseIssue<unknown>): string =>
    required?.[String(issue.path?.[0]?.key)] ?? 'is required';
  const check = options.check;
  // A field given as undefined (possible in objects built in code, never in JSON) counts as missing.
  const present = (schema: v.GenericSchema, key: string): v.GenericSchema =>
    v.pipe(
      v.custom(
        (x) => x !== undefined,
        () => required?.[key] ?? 'is required',
      ),
      schema,
    );
  const strict = Object.fromEntries(
    Object.entries(entries).map(([key, schema]) => [
      key,
      schema.type === 'optional' ? schema : present(schema as v.GenericSchema, key),
    ]),
  );
  const own = v.pipe(
    v.looseObject(strict, missing),
    v.rawCheck(({ dataset, addIssue }) => {
      if (check === undefined) return;
      const input = dataset.value as Record<string, unknown>;
      const valid = (key: string): unknown =>
        v.is(entries[key] as v.GenericSchema, input[key]) ? input[key] : undefined;
      const report = reporter(input, addIssue);
      // Problems placed after a field's (`after`), to rank with that field.
      const anchored = new Map<v.BaseIssue<unknown>, number>();
      const reportAfter = (after: string, message: string, at: readonly Key[] = []): void => {
        report(at, message);
        const added = dataset.issues?.at(-1);
        if (added !== undefined) anchored.set(added, known.indexOf(after));
      };
      check({
        input,
        has: (key) => input[key] !== undefined,
        valid: valid as FieldCheck<E>['valid'],
        report,
        reportAfter,
      });
      // Field by field in schema order, so a field's cross-field problems follow its own.
      const rank = (key: unknown): number =>
        typeof key === 'string' && Object.hasOwn(entries, key) ? known.indexOf(key) : known.length;
      inOrder(dataset.issues, (issue) => anchored.get(issue) ?? rank(issue.path?.[0]?.key));
    }),
  );
  const unknown = v.pipe(
    v.unknown(),
    v.rawCheck(({ dataset, addIssue }) => {
      const input = dataset.value as Record<string, unknown>;
      const report = reporter(input, addIssue);
      for (const key of Object.keys(input)) {
        if (!Object.hasOwn(entries, key))
          report([key], `is not a known field${didYouMeanHint(suggest(key, known), style.name)}`);
      }
    }),
    // The intersection merges the outputs of its parts; this part adds nothing to the value.
    v.transform(() => ({})),
  );
  const object = v.custom<unknown>(isPlainObject, (issue) => style.notObject(issue.input));
  const parts: v.GenericSchema[] =
    style.unknownFields === 'first' ? [unknown, own] : [own, unknown];
  return v.pipe(object, v.intersect(parts)) as unknown as v.GenericSchema<unknown, ObjectOutput<E>>;
}

/** Options of `list`. */
export interface ListOptions {
  /** Fewest items. @defaultValue 0 */
  readonly min?: number;
  /** Most items; a longer array is refused whole (its items are not checked). */
  readonly max: number;
  /** The message for a value that is not an array of `min` to `max` items, given the value. */
  readonly message: (got: unknown) => string;
  /** Checks across items (duplicates), run after the items whatever they held. */
  readonly check?: (items: readonly unknown[], report: Report) => void;
}

/** A JSON array of `min` to `max` items, each checked by `item`; problems come item by item (an item's cross-item problems after its own). */
export function list<T>(
  item: v.GenericSchema<unknown, T>,
  options: ListOptions,
): v.GenericSchema<unknown, T[]> {
  const min = options.min ?? 0;
  const check = options.check;
  return v.pipe(
    v.custom<unknown[]>(
      (x) => Array.isArray(x) && x.length >= min && x.length <= options.max,
      (issue) => options.message(issue.input),
    ),
    v.array(item),
    v.rawCheck(({ dataset, addIssue }) => {
      if (check === undefined) return;
      check(dataset.value as unknown[], reporter(dataset.value, addIssue));
      inOrder(dataset.issues, (issue) => {
        const key = issue.path?.[0]?.key;
        return typeof key === 'number' ? key : Infinity;
      });
    }),
  );
}

/** A single value accepted by `test`; `message` words the refusal, given the value. */
export function leaf<T>(
  test: (input: unknown) => boolean,
  message: (got: unknown) => string,
): v.GenericSchema<unknown, T> {
  return v.custom<T>(test, (issue) => message(issue.input));
}

/** For each repeated key (undefined keys are skipped): its index and the index where it first appeared. */
export function duplicates(
  keys: readonly (string | undefined)[],
): { index: number; first: number }[] {
  const firstIndexOf = new Map<string, number>();
  const out: { index: number; first: number }[] = [];
  keys.forEach((key, index) => {
    if (key === undefined) return;
    const first = firstIndexOf.get(key);
    if (first === undefined) firstIndexOf.set(key, index);
    else out.push({ index, first });
  });
  return out;
}

/** Whether `value` is a JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stable-sorts `issues` in place by `rank`. */
function inOrder(
  issues: readonly v.BaseIssue<unknown>[] | undefined,
  rank: (issue: v.BaseIssue<unknown>) => number,
): void {
  if (issues === undefined || issues.length < 2) return;
  const ranked = issues.map((issue, i) => ({ issue, i, r: rank(issue) }));
  ranked.sort((a, b) => a.r - b.r || a.i - b.i);
  ranked.forEach(({ issue }, i) => ((issues as v.BaseIssue<unknown>[])[i] = issue));
}

function reporter(
  input: unknown,
  addIssue: (info: { message: string; path?: [v.IssuePathItem, ...v.IssuePathItem[]] }) => void,
): Report {
  return (at, message) => {
    const path = at.map((key): v.IssuePathItem => ({
      type: 'unknown',
      origin: 'value',
      input,
      key,
      value: undefined,
    }));
    addIssue(
      path.length === 0
        ? { message }
        : { message, path: path as [v.IssuePathItem, ...v.IssuePathItem[]] },
    );
  };
}
