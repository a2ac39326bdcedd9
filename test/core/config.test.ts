import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../src/core/config/json-text.js';
import { type ConfigStyle, fields, leaf, list } from '../../src/core/config/schema.js';
import { jsonPath, validateConfig } from '../../src/core/config/validate.js';

const errorOf = (text: string) => {
  const result = parseJsonText(text);
  if (result.ok) throw new Error('the text was accepted');
  return result.error;
};

describe('JSON text is parsed, and a syntax error is located without reading V8’s message', () => {
  it('returns the value, skipping a byte order mark', () => {
    expect(parseJsonText('\ufeff{"a": [1]}')).toEqual({ ok: true, value: { a: [1] } });
  });

  it('names line, column, offset, a reason and an excerpt of the line', () => {
    const error = errorOf('{\n  "a": 1,\n  b: 2\n}');
    expect(error).toMatchObject({
      line: 3,
      column: 3,
      offset: 14,
      reason: 'expected a double-quoted property name',
      excerpt: '  b: 2',
    });
    expect(error.message).toBe(
      'invalid JSON at line 3, column 3 (offset 14): expected a double-quoted property name',
    );
  });

  it.each([
    ['{"a" 1}', "expected ':' after a property name"],
    ['{"a": 1 "b": 2}', "expected ',' or '}'"],
    ['[1, 2 x]', "expected ',' or ']'"],
    ['/* no comments */ {}', 'unexpected "/"'],
    ['[1,]', 'unexpected "]"'],
    ['{"a": "b\n"}', 'control character in a string'],
  ])('words the error in %j', (text, reason) => {
    expect(errorOf(text).reason).toBe(reason);
  });
});

const STYLE: ConfigStyle = {
  notObject: () => 'must be an object',
  unknownFields: 'last',
  name: (n) => `"${n}"`,
};
const count = leaf<number>(
  (x) => Number.isInteger(x),
  (got) => `must be an integer (got ${String(got)})`,
);

describe('a value is validated against a valibot schema into problems with JSON paths', () => {
  const schema = fields(
    {
      size: count,
      items: v.optional(
        list(fields({ id: count }, STYLE), {
          max: 2,
          message: () => 'must be a list of at most 2',
        }),
      ),
    },
    STYLE,
    {
      check: (f) =>
        void (
          f.valid('size') === 0 &&
          f.has('items') &&
          f.report(['items'], 'must be absent when size is 0')
        ),
    },
  );

  it('writes paths the way a reader would type them', () => {
    expect(jsonPath(['endpoints', 3, 'url'])).toBe('endpoints[3].url');
    expect(jsonPath(['a', 'odd key'])).toBe('a["odd key"]');
    expect(jsonPath([])).toBe('');
  });

  it('lists every problem field by field, unknown fields last with the closest known name', () => {
    expect(validateConfig(schema, { sise: 1, items: [{ id: 'x' }, 3] })).toEqual({
      ok: false,
      problems: [
        { path: 'size', message: 'is required' },
        { path: 'items[0].id', message: 'must be an integer (got x)' },
        { path: 'items[1]', message: 'must be an object' },
        { path: 'sise', message: 'is not a known field (did you mean "size"?)' },
      ],
    });
  });

  it('runs cross-field checks even when other fields are wrong, and returns the typed value when all is well', () => {
    expect(validateConfig(schema, { size: 0, items: [{ id: 'x' }] })).toEqual({
      ok: false,
      problems: [
        { path: 'items[0].id', message: 'must be an integer (got x)' },
        { path: 'items', message: 'must be absent when size is 0' },
      ],
    });
    expect(validateConfig(schema, { size: 2, items: [{ id: 1 }] })).toEqual({
      ok: true,
      value: { size: 2, items: [{ id: 1 }] },
    });
  });

  it('puts unknown fields first when the style says so', () => {
    const first = fields({ size: count }, { ...STYLE, unknownFields: 'first' });
    expect(validateConfig(first, { size: 'x', extra: 1 })).toMatchObject({
      problems: [{ path: 'extra' }, { path: 'size' }],
    });
  });
});
