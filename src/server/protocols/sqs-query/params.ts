import { BallastError } from '../../../core/errors.js';

/*
 * The parameters of a query-protocol request (`Action=SendMessage&MessageBody=…`), from a
 * form-encoded body or a URL's query string, as a tree split on dots: `Attribute.1.Name=x` is
 * node `Attribute` → `1` → `Name` with value `x`. The action table reads the tree by shape.
 */

/** One dotted parameter name's node: its value (when sent) and the parameters below it. */
export interface ParamNode {
  value?: string;
  readonly children: Map<string, ParamNode>;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const notUtf8 = (): BallastError =>
  new BallastError(
    'InvalidMessageContents',
    'The request contains bytes that are not valid UTF-8: message bodies and attribute values must be Unicode text.',
  );
const HEX = /^[0-9A-Fa-f]{2}$/;
const encoder = new TextEncoder();

/**
 * One form-encoded component (`+` is a space, `%XX` a byte) as strict UTF-8: bytes that are not
 * UTF-8 are refused (`InvalidMessageContents`), never replaced by U+FFFD, which would store other
 * text than was sent. A `%` not followed by two hex digits stays as it is.
 */
export function decodeComponent(raw: string): string {
  if (!raw.includes('%') && !raw.includes('+')) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    const hex = raw.slice(i + 1, i + 3);
    if (c === '%' && HEX.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === '+') bytes.push(0x20);
    else {
      // Unencoded characters (clients that skip encoding non-ASCII): their UTF-8 bytes.
      const cp = raw.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(ch));
      i += ch.length - 1;
    }
  }
  try {
    return UTF8.decode(new Uint8Array(bytes));
  } catch {
    throw notUtf8();
  }
}

/** The `name=value` pairs of a form-encoded string (`a=1&b=2`), decoded; empty pieces are skipped. */
export function formPairs(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = eq < 0 ? piece : piece.slice(0, eq);
    const value = eq < 0 ? '' : piece.slice(eq + 1);
    pairs.push([decodeComponent(name), decodeComponent(value)]);
  }
  return pairs;
}

/** A form-encoded body as text: it must be UTF-8 (it is ASCII when the client encoded it all). */
export function formText(body: Uint8Array): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw notUtf8();
  }
}

/** The tree of `pairs` (a later pair with the same name replaces an earlier one). */
export function paramTree(pairs: Iterable<readonly [string, string]>): ParamNode {
  const root: ParamNode = { children: new Map() };
  for (const [name, value] of pairs) {
    let node = root;
    for (const part of name.split('.')) {
      let next = node.children.get(part);
      if (next === undefined) node.children.set(part, (next = { children: new Map() }));
      node = next;
    }
    node.value = value;
  }
  return root;
}

/** The value of the top-level parameter `name`, when sent. */
export const paramValue = (tree: ParamNode, name: string): string | undefined =>
  tree.children.get(name)?.value;
