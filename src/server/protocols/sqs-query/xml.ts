import { type QueryShape, wireName } from './shapes.js';

/** The XML namespace of SQS API version 2012-11-05, on every response. */
export const SQS_XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** Content type of query-protocol responses, as SQS sends it. */
export const XML_CONTENT_TYPE = 'text/xml';

// Characters XML 1.0 cannot carry at all, even as references (C0 controls but tab, LF and CR;
// U+FFFE/U+FFFF; lone surrogates). SQS refuses them in bodies and attributes, so only text the
// library never validates could hold one.
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as XML character data: `&`, `<`, `>` escaped (so `]]>` cannot end anything), and CR as
 * `&#xD;` because a parser turns a literal CR (and CRLF) into LF, which would change a body and
 * break its MD5. Characters XML cannot carry become U+FFFD.
 */
export function xmlText(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#xD;');
}

/** `<name>inner</name>` (`inner` already XML). */
export const element = (name: string, inner: string): string => `<${name}>${inner}</${name}>`;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The XML of a JSON value in `shape` (or, without a shape, as it comes: objects as nested
 * elements, arrays as repeated elements), as the content of one element.
 */
function valueXml(value: unknown, shape: QueryShape | undefined): string {
  if (isRecord(value)) {
    const members = typeof shape === 'object' && shape.kind === 'struct' ? shape.members : {};
    return membersXml(value, members);
  }
  return xmlText(String(value));
}

/** The elements of one member: one element, or one per list item or map entry. */
function memberXml(member: string, value: unknown, shape: QueryShape | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof shape === 'object' && shape.kind === 'list' && Array.isArray(value))
    return value.map((v) => element(shape.name, valueXml(v, shape.item))).join('');
  if (typeof shape === 'object' && shape.kind === 'map' && isRecord(value)) {
    return Object.entries(value)
      .map(([k, v]) =>
        element(
          shape.name,
          element(shape.key, xmlText(k)) + element(shape.value, valueXml(v, shape.of)),
        ),
      )
      .join('');
  }
  const name = shape === undefined ? member : wireName(member, shape);
  if (Array.isArray(value)) return value.map((v) => element(name, valueXml(v, undefined))).join('');
  return element(name, valueXml(value, shape));
}

/**
 * The XML of a JSON structure: each member in `members` laid out by its shape; members the shapes
 * do not name (added to an operation later) by their JSON names, so they still reach clients.
 */
export function membersXml(
  value: Readonly<Record<string, unknown>>,
  members: Readonly<Record<string, QueryShape>>,
): string {
  return Object.entries(value)
    .map(([member, v]) => memberXml(member, v, members[member]))
    .join('');
}
