import { describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import { DEFAULT_BUS_LIMITS } from '../../src/bus/limits.js';
import { compileShaping, type InputShaping } from '../../src/bus/transform.js';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'OrderPlaced',
  source: 'shop',
  resources: ['arn:one', 'arn:two'],
  detail: { order: { id: 'o-7', total: 12.5, note: 'say "hi"' }, items: [{ sku: 'a' }] },
};
const text = JSON.stringify(event);
const ctx = {
  ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/r',
  ruleName: 'r',
  ingestedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
};
const shape = (s: InputShaping) => compileShaping(s, DEFAULT_BUS_LIMITS)(event, text, ctx);

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return isBallastError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no error';
}

describe('target input shaping', () => {
  it('sends the whole event by default, a constant with Input, and a part with InputPath', () => {
    expect(shape({})).toBe(text);
    expect(shape({ input: '{"fixed":true}' })).toBe('{"fixed":true}');
    expect(JSON.parse(shape({ inputPath: '$.detail.order' }))).toEqual(event.detail.order);
    expect(shape({ inputPath: '$.resources[1]' })).toBe('"arn:two"');
    expect(shape({ inputPath: "$['detail-type']" })).toBe('"OrderPlaced"');
    expect(shape({ inputPath: '$.detail.missing' })).toBe('null');
  });

  it('InputTransformer: JSON-encodes a value placeholder, inlines (escaped) inside strings', () => {
    const out = shape({
      inputTransformer: {
        inputPathsMap: {
          id: '$.detail.order.id',
          total: '$.detail.order.total',
          note: '$.detail.order.note',
          items: '$.detail.items',
        },
        inputTemplate:
          '{"order": <id>, "total": <total>, "text": "order <id> said <note>", "items": <items>}',
      },
    });
    expect(JSON.parse(out)).toEqual({
      order: 'o-7',
      total: 12.5,
      text: 'order o-7 said say "hi"',
      items: [{ sku: 'a' }],
    });
  });

  it('a missing path renders JSON null as a value and nothing inside a string', () => {
    const out = shape({
      inputTransformer: {
        inputPathsMap: { x: '$.detail.absent' },
        inputTemplate: '{"v": <x>, "s": "[<x>]"}',
      },
    });
    expect(JSON.parse(out)).toEqual({ v: null, s: '[]' });
  });

  it('a template that is not JSON is plain text with values as they are', () => {
    const out = shape({
      inputTransformer: {
        inputPathsMap: { id: '$.detail.order.id', t: '$.detail.order.total' },
        inputTemplate: 'order <id> costs <t>',
      },
    });
    expect(out).toBe('order o-7 costs 12.5');
  });

  it('offers the predefined aws.events variables', () => {
    const out = shape({
      inputTransformer: {
        inputTemplate:
          '{"arn": <aws.events.rule-arn>, "name": "<aws.events.rule-name>", "at": <aws.events.event.ingestion-time>, "env": <aws.events.event>, "all": <aws.events.event.json>}',
      },
    });
    const { detail: _d, ...withoutDetail } = event;
    expect(JSON.parse(out)).toEqual({
      arn: ctx.ruleArn,
      name: 'r',
      at: '2026-01-02T03:04:05.000Z',
      env: withoutDetail,
      all: event,
    });
  });

  it('rejects invalid shaping with precise messages', () => {
    expect(errorOf(() => shape({ input: '{}', inputPath: '$' }))).toMatch(
      /ValidationException: Only one of Input, InputPath, or InputTransformer/,
    );
    expect(errorOf(() => shape({ input: '{nope' }))).toMatch(/Input is not valid JSON/);
    expect(errorOf(() => shape({ inputPath: 'detail' }))).toMatch(
      /must be a JSONPath starting with \$/,
    );
    expect(errorOf(() => shape({ inputPath: '$.a..b' }))).toMatch(
      /not a valid JSONPath at position 3/,
    );
    expect(
      errorOf(() =>
        shape({
          inputTransformer: { inputPathsMap: { 'AWS.x': '$.id' }, inputTemplate: '<AWS.x>' },
        }),
      ),
    ).toMatch(/InputPathsMap key "AWS.x" is not allowed/);
    expect(
      errorOf(() => shape({ inputTransformer: { inputTemplate: '"x <aws.events.event>"' } })),
    ).toMatch(/only be used as a whole JSON value/);
    expect(errorOf(() => shape({ inputTransformer: { inputTemplate: '' } }))).toMatch(
      /InputTemplate must be 1 to 8192 characters/,
    );
  });
});
