import * as v from 'valibot';
import { quote } from '../describe-value.js';
import type { ConfigProblem } from './problems.js';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A config's validated value, or every problem found in it, in the order the schema checks them. */
export type Validated<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

/** Validates `input` against a valibot schema built from `./schema.js`; each issue becomes a problem at its JSON path. */
export function validateConfig<T>(
  schema: v.GenericSchema<unknown, T>,
  input: unknown,
): Validated<T> {
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.output };
  const problems = result.issues.map((issue) => ({
    path: jsonPath((issue.path ?? []).map((item) => item.key as string | number)),
    message: issue.message,
  }));
  return { ok: false, problems };
}

/** `endpoints[3].url`, `services[0]["odd key"]`; `''` for the whole document. */
export function jsonPath(keys: readonly (string | number)[]): string {
  let path = '';
  for (const key of keys) {
    if (typeof key === 'number') path += `[${key}]`;
    else if (IDENTIFIER.test(key)) path += path === '' ? key : `.${key}`;
    else path += `[${quote(key)}]`;
  }
  return path;
}
