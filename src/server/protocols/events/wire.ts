import { BallastError } from '../../../core/errors.js';
import { compact } from '../aws/output.js';
import { optInt, optObject, optString, reqObjectList, type WireObject } from '../aws/input.js';

/*
 * EventBridge-specific member readers and writers. The generic ones (strings, lists, maps,
 * structures) are the SQS protocol's: both are AWS JSON, and the error mapper renames their
 * MissingParameter / InvalidParameterValue to EventBridge's ValidationException.
 */

const wrongType = (name: string, expected: string): BallastError =>
  new BallastError(
    'InvalidParameterValue',
    `Value for parameter ${name} is invalid. Reason: must be ${expected}.`,
  );

/** An optional boolean member. */
export function optBool(o: WireObject, name: string, label = name): boolean | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw wrongType(label, 'a boolean');
  return v;
}

const MAX_TIME_MS = 8.64e15;

/** An optional timestamp member: epoch seconds on the wire (maybe fractional) → epoch ms. */
export function optTime(o: WireObject, name: string, label = name): number | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'number' ? Math.round(v * 1000) : NaN;
  // JavaScript dates (and the stores' integer columns) end at ±8.64e15 ms.
  if (!(Math.abs(ms) <= MAX_TIME_MS)) throw wrongType(label, 'a timestamp (epoch seconds)');
  return ms;
}

/** A required timestamp member, epoch ms. */
export function reqTime(o: WireObject, name: string, label = name): number {
  const v = optTime(o, name, label);
  if (v === undefined)
    throw new BallastError('MissingParameter', `The request must contain the parameter ${label}.`);
  return v;
}

/** Epoch ms → the wire's epoch seconds; undefined stays undefined (compacted away). */
export const seconds = (ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : ms / 1000;

/** `Tags: [{Key, Value}]` → a map (undefined when not sent). */
export function optTags(o: WireObject, name = 'Tags'): Record<string, string> | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw wrongType(name, 'a list of {Key, Value} structures');
  const tags: Record<string, string> = {};
  for (const [i, t] of v.entries()) {
    const { Key: key, Value: value } = (typeof t === 'object' && t !== null ? t : {}) as WireObject;
    if (typeof key !== 'string' || typeof value !== 'string')
      throw wrongType(`${name}[${i}]`, 'a {Key, Value} structure of strings');
    tags[key] = value;
  }
  return tags;
}

/** `DeadLetterConfig: {Arn}` → the library's `{arn}` (undefined when not sent or empty). */
export function optDeadLetterConfig(
  o: WireObject,
  label = 'DeadLetterConfig',
): { arn: string } | undefined {
  const config = optObject(o, 'DeadLetterConfig', label);
  const arn = config === undefined ? undefined : optString(config, 'Arn', `${label}.Arn`);
  return arn === undefined ? undefined : { arn };
}

/** `NextToken` and `Limit` of a List call, in the library's form. */
export function pageFromWire(o: WireObject): { nextToken?: string; limit?: number } {
  return compact({ nextToken: optString(o, 'NextToken'), limit: optInt(o, 'Limit') });
}

/** Refuses a member Ballast cannot honour, rather than accept it and silently ignore it. */
export function refuseMember(o: WireObject, name: string, why: string): void {
  if (o[name] !== undefined && o[name] !== null)
    throw new BallastError('ValidationException', `Parameter ${name} is not supported: ${why}`);
}

/** A required structure member. */
export function reqObject(o: WireObject, name: string, label = name): WireObject {
  const v = optObject(o, name, label);
  if (v === undefined)
    throw new BallastError('MissingParameter', `The request must contain the parameter ${label}.`);
  return v;
}

/** An optional list of structures. */
export function optObjectList(o: WireObject, name: string, label = name): WireObject[] | undefined {
  return o[name] === undefined || o[name] === null ? undefined : reqObjectList(o, name, label);
}
