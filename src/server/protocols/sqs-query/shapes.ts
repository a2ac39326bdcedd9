import { BallastError } from '../../../core/errors.js';
import type { ParamNode } from './params.js';

/*
 * How the query protocol lays out the members of the SQS operations, in both directions. A
 * request member is a flat parameter (`QueueName=q`); a list is flattened under its item's name
 * (`AttributeName.1=All`); a map under its entry's name (`Attribute.1.Name=…&Attribute.1.Value=…`).
 * Responses use the same names as XML elements (`<QueueUrl>` repeated, `<Attribute><Name>…`).
 * JSON member names stay those of the SQS JSON operations, which these shapes feed and read.
 */

/** A structure: its members by JSON name. */
export interface StructShape {
  readonly kind: 'struct';
  readonly members: Readonly<Record<string, QueryShape>>;
}

/** A flattened list: items `<name>.1`, `<name>.2` … in requests, repeated `<name>` elements in responses. */
export interface ListShape {
  readonly kind: 'list';
  readonly name: string;
  readonly item: QueryShape;
}

/** A flattened map: entries `<name>.N.<key>` / `<name>.N.<value>`; `<name><key/><value/></name>` in XML. */
export interface MapShape {
  readonly kind: 'map';
  readonly name: string;
  readonly key: string;
  readonly value: string;
  readonly of: QueryShape;
}

/** The shape of one member: a scalar or one of the above. */
export type QueryShape = 'string' | 'integer' | 'boolean' | StructShape | ListShape | MapShape;

/** A structure of `members`. */
export const struct = (members: Readonly<Record<string, QueryShape>>): StructShape => ({
  kind: 'struct',
  members,
});
/** A flattened list of `item` named `name`. */
export const list = (name: string, item: QueryShape = 'string'): ListShape => ({
  kind: 'list',
  name,
  item,
});
/** A flattened map named `name` with key and value element names. */
export const map = (
  name: string,
  key: string,
  value: string,
  of: QueryShape = 'string',
): MapShape => ({
  kind: 'map',
  name,
  key,
  value,
  of,
});

/** The parameter (and XML element) name of member `member` of shape `shape`. */
export const wireName = (member: string, shape: QueryShape): string =>
  typeof shape === 'object' && shape.kind !== 'struct' ? shape.name : member;

const INTEGER = /^-?\d{1,15}$/;
const invalid = (label: string, expected: string): BallastError =>
  new BallastError(
    'InvalidParameterValue',
    `Value for parameter ${label} is invalid. Reason: must be ${expected}.`,
  );
const missing = (label: string): BallastError =>
  new BallastError('MissingParameter', `The request must contain the parameter ${label}.`);

/** The numbered children of a list or map node (`.1`, `.2` …), in index order; other names are ignored. */
function numbered(node: ParamNode): [string, ParamNode][] {
  return [...node.children]
    .filter(([k]) => /^[1-9]\d{0,5}$/.test(k))
    .sort(([a], [b]) => Number(a) - Number(b));
}

/**
 * The JSON value of `node` read as `shape` (`undefined` when nothing was sent). Integers and
 * booleans are checked (`InvalidParameterValue`); a map entry without its key is `MissingParameter`.
 */
export function fromParams(node: ParamNode | undefined, shape: QueryShape, label: string): unknown {
  if (node === undefined) return undefined;
  if (shape === 'string') return node.value;
  if (shape === 'integer') {
    if (node.value === undefined) return undefined;
    if (!INTEGER.test(node.value)) throw invalid(label, 'an integer');
    return Number(node.value);
  }
  if (shape === 'boolean') {
    if (node.value === undefined) return undefined;
    const v = node.value.toLowerCase();
    if (v !== 'true' && v !== 'false') throw invalid(label, 'true or false');
    return v === 'true';
  }
  if (shape.kind === 'struct') {
    const out: Record<string, unknown> = {};
    for (const [member, s] of Object.entries(shape.members)) {
      const name = wireName(member, s);
      // An empty list goes as its member name with no value (`Entries=`, as botocore sends it).
      const child = node.children.get(name) ?? node.children.get(member);
      const v = fromParams(child, s, label === '' ? name : `${label}.${name}`);
      if (v !== undefined) out[member] = v;
    }
    return out;
  }
  const entries = numbered(node);
  if (entries.length === 0)
    return node.value === '' ? (shape.kind === 'list' ? [] : {}) : undefined;
  if (shape.kind === 'list')
    return entries.map(([i, n]) => fromParams(n, shape.item, `${label}.${i}`));
  const out: Record<string, unknown> = {};
  for (const [i, entry] of entries) {
    const key = entry.children.get(shape.key)?.value;
    if (key === undefined) throw missing(`${label}.${i}.${shape.key}`);
    const value = fromParams(
      entry.children.get(shape.value),
      shape.of,
      `${label}.${i}.${shape.value}`,
    );
    if (value !== undefined) out[key] = value;
  }
  return out;
}
