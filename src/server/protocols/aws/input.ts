import { BallastError } from '../../../core/errors.js';

/** A decoded JSON request object (or one nested structure of it). */
export type WireObject = Readonly<Record<string, unknown>>;

/*
 * Type checks for members coming off the wire, before anything reaches the library. A member
 * that is absent or `null` counts as not sent; a required one missing is `MissingParameter`;
 * a member of the wrong JSON type is `InvalidParameterValue`. Unknown members are ignored.
 */

const missing = (name: string): BallastError =>
  new BallastError('MissingParameter', `The request must contain the parameter ${name}.`);
const wrongType = (name: string, expected: string): BallastError =>
  new BallastError(
    'InvalidParameterValue',
    `Value for parameter ${name} is invalid. Reason: must be ${expected}.`,
  );

const isObject = (v: unknown): v is WireObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An optional string member. */
export function optString(o: WireObject, name: string, label = name): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw wrongType(label, 'a string');
  return v;
}

/** A required string member. */
export function reqString(o: WireObject, name: string, label = name): string {
  const v = optString(o, name, label);
  if (v === undefined) throw missing(label);
  return v;
}

/** An optional integer member (JSON number). */
export function optInt(o: WireObject, name: string, label = name): number | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw wrongType(label, 'an integer');
  return v;
}

/** A required integer member. */
export function reqInt(o: WireObject, name: string, label = name): number {
  const v = optInt(o, name, label);
  if (v === undefined) throw missing(label);
  return v;
}

/** An optional list of strings. */
export function optStringList(o: WireObject, name: string, label = name): string[] | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw wrongType(label, 'a list of strings');
  return v as string[];
}

/** A required list of strings. */
export function reqStringList(o: WireObject, name: string, label = name): string[] {
  const v = optStringList(o, name, label);
  if (v === undefined) throw missing(label);
  return v;
}

/** An optional map of string to string. */
export function optStringMap(
  o: WireObject,
  name: string,
  label = name,
): Record<string, string> | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string'))
    throw wrongType(label, 'a map of string to string');
  return { ...(v as Record<string, string>) };
}

/** A required map of string to string. */
export function reqStringMap(o: WireObject, name: string, label = name): Record<string, string> {
  const v = optStringMap(o, name, label);
  if (v === undefined) throw missing(label);
  return v;
}

/** An optional structure member. */
export function optObject(o: WireObject, name: string, label = name): WireObject | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw wrongType(label, 'a structure');
  return v;
}

/** An optional map of string to structure. */
export function optObjectMap(
  o: WireObject,
  name: string,
  label = name,
): Record<string, WireObject> | undefined {
  const v = optObject(o, name, label);
  if (v === undefined) return undefined;
  for (const [k, x] of Object.entries(v))
    if (!isObject(x)) throw wrongType(`${label}.${k}`, 'a structure');
  return v as Record<string, WireObject>;
}

/** A required list of structures (batch `Entries`). */
export function reqObjectList(o: WireObject, name: string, label = name): WireObject[] {
  const v = o[name];
  if (v === undefined || v === null) throw missing(label);
  if (!Array.isArray(v) || !v.every(isObject)) throw wrongType(label, 'a list of structures');
  return v as WireObject[];
}

/** The decoded request body: must be a JSON object. */
export function asRequestObject(v: unknown): WireObject {
  if (!isObject(v))
    throw new BallastError('SerializationException', 'The request body must be a JSON object.');
  return v;
}
