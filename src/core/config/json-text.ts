/**
 * JSON text → value, with syntax errors located by line, column and offset. `JSON.parse` reads
 * the text (fast, and the reference for what is valid); only when it fails does jsonc-parser (the
 * scanner VS Code uses) find where, so no message depends on V8's wording.
 */
import { type ParseErrorCode, printParseErrorCode, visit } from 'jsonc-parser';

/** Where and why a JSON text is malformed. Offsets count UTF-16 code units; lines and columns start at 1. */
export interface JsonSyntaxError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  /** Short and lower case: `unexpected "}"`, `expected ',' or ']'`, `unexpected end of input`. */
  readonly reason: string;
  /** The text around the error on its line (at most 40 characters), for a caret display. */
  readonly excerpt: string;
  /** `invalid JSON at line L, column C (offset O): reason` (or V8's message when the error could not be located). */
  readonly message: string;
}

/** The parsed value, or where the text is malformed. */
export type JsonTextResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: JsonSyntaxError };

const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4})/y;

/** Parses JSON text (a leading byte order mark is skipped, as editors on Windows write one). */
export function parseJsonText(text: string): JsonTextResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    return { ok: false, error: locate(body, (error as Error).message) };
  }
}

function locate(text: string, fallback: string): JsonSyntaxError {
  const found = firstError(text);
  if (found === undefined)
    return {
      offset: 0,
      line: 1,
      column: 1,
      reason: fallback,
      excerpt: '',
      message: `invalid JSON: ${fallback}`,
    };
  const lineStart = text.lastIndexOf('\n', found.offset - 1) + 1;
  const line = text.slice(0, lineStart).split('\n').length;
  const column = found.offset - lineStart + 1;
  const lineEnd = text.indexOf('\n', found.offset);
  const excerpt = text.slice(
    Math.max(lineStart, found.offset - 20),
    Math.min(lineEnd < 0 ? text.length : lineEnd, found.offset + 20),
  );
  const message = `invalid JSON at line ${line}, column ${column} (offset ${found.offset}): ${found.reason}`;
  return { offset: found.offset, line, column, reason: found.reason, excerpt, message };
}

/** jsonc-parser's first complaint about strict JSON, in our words; undefined when it finds none. */
function firstError(text: string): { offset: number; reason: string } | undefined {
  let found: { offset: number; reason: string } | undefined;
  const closers: string[] = [];
  // What the parser expects next: the scanner skips a stray symbol, so its reason comes from here.
  let expecting: 'key' | 'colon' | 'value' | 'more' = 'value';
  const ended = (): void => void (expecting = 'more');
  visit(
    text,
    {
      onObjectBegin: () => void (closers.push('}'), (expecting = 'key')),
      onArrayBegin: () => void (closers.push(']'), (expecting = 'value')),
      onObjectEnd: () => void (closers.pop(), ended()),
      onArrayEnd: () => void (closers.pop(), ended()),
      onObjectProperty: () => void (expecting = 'colon'),
      onLiteralValue: ended,
      onSeparator: (c) => void (expecting = c === ',' && closers.at(-1) === '}' ? 'key' : 'value'),
      onError: (error, offset, length) => {
        const code = printParseErrorCode(error as ParseErrorCode);
        // A bad token where none may stand (after a value or a property name) is first of all misplaced.
        const misplaced =
          code === 'InvalidSymbol' ||
          (TOKEN_ERRORS.has(code) && (expecting === 'more' || expecting === 'colon'));
        const as = misplaced
          ? STRAY[expecting]
          : code === 'ValueExpected' && expecting === 'key'
            ? 'PropertyNameExpected'
            : code;
        found ??= describe(text, as, offset, length, closers.at(-1));
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  return found;
}

// The parser complaint a stray symbol stands for, by what was expected in its place.
const STRAY = {
  key: 'PropertyNameExpected',
  colon: 'ColonExpected',
  value: 'ValueExpected',
  more: 'CommaExpected',
} as const;
// The scanner's complaints about one token (as opposed to the parser's about the order of tokens).
const TOKEN_ERRORS = new Set([
  'UnexpectedEndOfString',
  'InvalidEscapeCharacter',
  'InvalidUnicode',
  'InvalidCharacter',
  'UnexpectedEndOfNumber',
  'InvalidNumberFormat',
]);

function describe(
  text: string,
  code: string,
  offset: number,
  length: number,
  closer: string | undefined,
): { offset: number; reason: string } {
  const at = (where: number, reason: string): { offset: number; reason: string } => ({
    offset: where,
    reason: where >= text.length ? 'unexpected end of input' : reason,
  });
  switch (code) {
    case 'PropertyNameExpected':
      return at(offset, 'expected a double-quoted property name');
    case 'ColonExpected':
      return at(offset, "expected ':' after a property name");
    case 'CommaExpected':
    case 'CloseBraceExpected':
    case 'CloseBracketExpected':
      if (closer === undefined) return at(offset, 'unexpected text after the JSON value');
      return at(offset, `expected ',' or '${closer}'`);
    case 'EndOfFileExpected':
      return at(offset, 'unexpected text after the JSON value');
    case 'InvalidEscapeCharacter':
    case 'InvalidUnicode':
      return at(badEscape(text, offset, length), 'invalid escape in a string');
    case 'InvalidCharacter':
      return at(controlCharacter(text, offset, length), 'control character in a string');
    case 'UnexpectedEndOfString': {
      const escape = badEscape(text, offset, length);
      if (escape !== offset) return at(escape, 'invalid escape in a string');
      // The scanner stops a string at a line break, which strict JSON forbids inside strings.
      return at(offset + length, 'control character in a string');
    }
    case 'UnexpectedEndOfNumber':
    case 'InvalidNumberFormat':
      return at(offset, 'invalid number');
    default:
      return at(offset, `unexpected ${JSON.stringify(text[offset])}`);
  }
}

/** The offset of the first malformed escape in the string token at `offset`. */
function badEscape(text: string, offset: number, length: number): number {
  for (let i = offset + 1; i < offset + length; i++) {
    if (text[i] !== '\\') continue;
    ESCAPE.lastIndex = i;
    if (!ESCAPE.test(text)) return i;
    i = ESCAPE.lastIndex - 1;
  }
  return offset;
}

/** The offset of the first control character in the string token at `offset`. */
function controlCharacter(text: string, offset: number, length: number): number {
  for (let i = offset + 1; i < offset + length; i++) if (text.charCodeAt(i) < 0x20) return i;
  return offset;
}
