import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import {
  DEFAULT_EXPECT_STATUS,
  HEALTH_CONFIG_LIMITS,
  HealthConfigError,
  parseHealthConfig,
  parseHostPort,
  readHealthConfig,
} from '../../src/health/config.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-health-config-'));
let files = 0;
function file(text: string): string {
  const path = join(dir, `health-${files++}.json`);
  writeFileSync(path, text);
  return path;
}

const base = (): Record<string, unknown> => ({
  intervalMs: 1_000,
  timeoutMs: 500,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  endpoints: [{ id: 'api', url: 'http://127.0.0.1:8080/health' }],
});

/** The HealthConfigError `parseHealthConfig` throws for `input` (fails the test when it passes). */
function errorOf(input: unknown): HealthConfigError {
  try {
    parseHealthConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(HealthConfigError);
    expect(isBallastError(error) && error.code).toBe('InvalidParameterValue');
    return error as HealthConfigError;
  }
  throw new Error('the config was accepted');
}
const problemsOf = (input: unknown): { path: string; message: string }[] => [
  ...errorOf(input).problems,
];
/** The HealthConfigError `readHealthConfig` rejects with. */
const readError = (path: string): Promise<HealthConfigError> =>
  readHealthConfig(path).then(
    () => Promise.reject(new Error('the config was accepted')),
    (error: unknown) => error as HealthConfigError,
  );
const pathsOf = (input: unknown): string[] => problemsOf(input).map((p) => p.path);
const withEndpoint = (endpoint: unknown): Record<string, unknown> => ({
  ...base(),
  endpoints: [endpoint],
});

describe('parseHealthConfig', () => {
  it('accepts a full config and fills in the defaults', () => {
    const full = {
      intervalMs: 10_000,
      timeoutMs: 2_000,
      healthyThreshold: 3,
      unhealthyThreshold: 2,
      jitterMs: 500,
      monitorId: 'monitor-eu-1',
      endpoints: [
        {
          id: 'web',
          url: 'https://example.com/health',
          expectStatus: [200, 204],
          bodyContains: 'OK',
        },
        { id: 'plain', url: 'http://[::1]:8080/' },
        { id: 'db', tcp: 'db.internal:5432' },
        { id: 'v6', tcp: '[::1]:6379' },
      ],
    };
    const config = parseHealthConfig(full);
    expect(config).toEqual({
      ...full,
      endpoints: full.endpoints.map((e) =>
        'url' in e && !e.expectStatus ? { ...e, expectStatus: [200, 399] } : e,
      ),
    });
    expect(config.endpoints[1]).toEqual({
      id: 'plain',
      url: 'http://[::1]:8080/',
      expectStatus: [200, 399],
    });
    const minimal = parseHealthConfig(base());
    expect(minimal.jitterMs).toBe(0);
    expect(minimal).not.toHaveProperty('monitorId');
    expect(minimal.endpoints[0]).toEqual({
      id: 'api',
      url: 'http://127.0.0.1:8080/health',
      expectStatus: DEFAULT_EXPECT_STATUS,
    });
  });

  it('accepts the edges of every range', () => {
    const low = {
      ...base(),
      intervalMs: 100,
      timeoutMs: 10,
      healthyThreshold: 1,
      unhealthyThreshold: 10,
      jitterMs: 99,
      monitorId: 'é'.repeat(16),
    };
    expect(() => parseHealthConfig(low)).not.toThrow();
    const high = {
      ...base(),
      intervalMs: 3_600_000,
      timeoutMs: 3_599_999,
      jitterMs: 0,
      monitorId: 'm',
    };
    expect(() => parseHealthConfig(high)).not.toThrow();
    const endpoint = {
      id: 'x'.repeat(128),
      url: 'http://a',
      expectStatus: [100, 599],
      bodyContains: '€'.repeat(1_024),
    };
    expect(() => parseHealthConfig(withEndpoint(endpoint))).not.toThrow();
    expect(() =>
      parseHealthConfig(withEndpoint({ id: '😀'.repeat(128), tcp: 'a:65535' })),
    ).not.toThrow();
  });

  it.each([
    ['intervalMs', 99],
    ['intervalMs', 3_600_001],
    ['intervalMs', 1_000.5],
    ['intervalMs', '1000'],
    ['timeoutMs', 9],
    ['timeoutMs', 1_000],
    ['healthyThreshold', 0],
    ['healthyThreshold', 11],
    ['unhealthyThreshold', 0],
    ['unhealthyThreshold', null],
    ['jitterMs', -1],
    ['jitterMs', 1_000],
    ['monitorId', ''],
    ['monitorId', 'x'.repeat(33)],
    ['monitorId', 'é'.repeat(17)],
    ['monitorId', 7],
    ['endpoints', []],
    ['endpoints', {}],
  ])('names %s when it is %j', (field, value) => {
    const problems = problemsOf({ ...base(), [field]: value });
    expect(problems.map((p) => p.path)).toEqual([field]);
  });

  it('says which top-level fields are missing', () => {
    expect(problemsOf({})).toEqual([
      { path: 'intervalMs', message: 'is required' },
      { path: 'timeoutMs', message: 'is required' },
      { path: 'healthyThreshold', message: 'is required' },
      { path: 'unhealthyThreshold', message: 'is required' },
      { path: 'endpoints', message: 'is required' },
    ]);
    expect(problemsOf([])).toEqual([{ path: '', message: 'must be a JSON object (got [])' }]);
    expect(problemsOf(null)).toEqual([{ path: '', message: 'must be a JSON object (got null)' }]);
  });

  it('bounds timeoutMs and jitterMs by the interval, and says so', () => {
    const [problem] = problemsOf({ ...base(), timeoutMs: 1_000 });
    expect(problem?.message).toBe(
      'must be an integer from 10 to 999 (below intervalMs) (got 1000)',
    );
    expect(pathsOf({ ...base(), intervalMs: 5, timeoutMs: 1_000_000 })).toEqual(['intervalMs']);
  });

  it.each([
    ['a URL that is not http(s)', { id: 'a', url: 'ftp://example.com/' }, 'endpoints[0].url'],
    ['a URL without a host', { id: 'a', url: 'http://' }, 'endpoints[0].url'],
    ['a relative URL', { id: 'a', url: '/health' }, 'endpoints[0].url'],
    ['a URL that is not a string', { id: 'a', url: 5 }, 'endpoints[0].url'],
    ['a missing id', { url: 'http://a' }, 'endpoints[0].id'],
    ['an empty id', { id: '', url: 'http://a' }, 'endpoints[0].id'],
    ['a long id', { id: 'x'.repeat(129), url: 'http://a' }, 'endpoints[0].id'],
    ['an id with a control character', { id: 'a\nb', url: 'http://a' }, 'endpoints[0].id'],
    ['an id with a bidi override', { id: 'a\u202eb', url: 'http://a' }, 'endpoints[0].id'],
    ['a number id', { id: 1, url: 'http://a' }, 'endpoints[0].id'],
    ['both url and tcp', { id: 'a', url: 'http://a', tcp: 'a:1' }, 'endpoints[0]'],
    ['neither url nor tcp', { id: 'a' }, 'endpoints[0]'],
    ['a non-object', 'http://a', 'endpoints[0]'],
    [
      'expectStatus min > max',
      { id: 'a', url: 'http://a', expectStatus: [300, 200] },
      'endpoints[0].expectStatus',
    ],
    [
      'expectStatus below 100',
      { id: 'a', url: 'http://a', expectStatus: [99, 200] },
      'endpoints[0].expectStatus',
    ],
    [
      'expectStatus above 599',
      { id: 'a', url: 'http://a', expectStatus: [200, 600] },
      'endpoints[0].expectStatus',
    ],
    [
      'expectStatus of one number',
      { id: 'a', url: 'http://a', expectStatus: [200] },
      'endpoints[0].expectStatus',
    ],
    [
      'expectStatus of fractions',
      { id: 'a', url: 'http://a', expectStatus: [200.5, 300] },
      'endpoints[0].expectStatus',
    ],
    [
      'expectStatus not an array',
      { id: 'a', url: 'http://a', expectStatus: 200 },
      'endpoints[0].expectStatus',
    ],
    [
      'an empty bodyContains',
      { id: 'a', url: 'http://a', bodyContains: '' },
      'endpoints[0].bodyContains',
    ],
    [
      'a long bodyContains',
      { id: 'a', url: 'http://a', bodyContains: 'x'.repeat(1_025) },
      'endpoints[0].bodyContains',
    ],
    [
      'bodyContains with tcp',
      { id: 'a', tcp: 'a:1', bodyContains: 'x' },
      'endpoints[0].bodyContains',
    ],
    [
      'expectStatus with tcp',
      { id: 'a', tcp: 'a:1', expectStatus: [200, 299] },
      'endpoints[0].expectStatus',
    ],
    ['tcp without a port', { id: 'a', tcp: 'db.internal' }, 'endpoints[0].tcp'],
    ['tcp port 0', { id: 'a', tcp: 'db:0' }, 'endpoints[0].tcp'],
    ['tcp port 65536', { id: 'a', tcp: 'db:65536' }, 'endpoints[0].tcp'],
    ['tcp with bare IPv6', { id: 'a', tcp: '::1:80' }, 'endpoints[0].tcp'],
    ['tcp with a bad IPv6', { id: 'a', tcp: '[nope]:80' }, 'endpoints[0].tcp'],
    ['tcp with an empty host', { id: 'a', tcp: ':80' }, 'endpoints[0].tcp'],
    ['tcp that is a URL', { id: 'a', tcp: 'tcp://db:80' }, 'endpoints[0].tcp'],
  ])('names the path of %s', (_what, endpoint, path) => {
    expect(pathsOf(withEndpoint(endpoint))).toEqual([path]);
  });

  it('uses the example wording for a bad URL, with the index of the endpoint', () => {
    const endpoints = [0, 1, 2].map((i) => ({ id: `e${i}`, url: `http://h${i}/` }));
    const error = errorOf({
      ...base(),
      endpoints: [...endpoints, { id: 'e3', url: 'mailto:ops@example.com' }],
    });
    expect(error.message).toContain('endpoints[3].url: must be an http:// or https:// URL');
    expect(error.problems).toEqual([
      {
        path: 'endpoints[3].url',
        message: 'must be an http:// or https:// URL (got "mailto:ops@example.com")',
      },
    ]);
  });

  it('reports unknown fields, at the top and in endpoints, suggesting the likely name', () => {
    const problems = problemsOf({
      ...base(),
      intervalMS: 1_000,
      unhealthyTreshold: 2,
      endpoints: [{ id: 'a', url: 'http://a', bodycontains: 'x', nonsense: 1 }],
      'odd key': 1,
    });
    expect(problems).toEqual([
      { path: 'intervalMS', message: 'is not a known field (did you mean intervalMs?)' },
      {
        path: 'unhealthyTreshold',
        message: 'is not a known field (did you mean unhealthyThreshold?)',
      },
      { path: '["odd key"]', message: 'is not a known field' },
      {
        path: 'endpoints[0].bodycontains',
        message: 'is not a known field (did you mean bodyContains?)',
      },
      { path: 'endpoints[0].nonsense', message: 'is not a known field' },
    ]);
  });

  it('reports a duplicate id with both indexes, even when the endpoints have other problems', () => {
    const endpoints = [
      { id: 'a', url: 'http://a' },
      { id: 'b', tcp: 'b:1' },
      { id: 'a', tcp: 'a:1' },
      { id: 'b', url: 'not a url' },
    ];
    expect(problemsOf({ ...base(), endpoints })).toEqual([
      { path: 'endpoints[2].id', message: 'duplicates endpoints[0].id ("a")' },
      { path: 'endpoints[3].url', message: 'must be an http:// or https:// URL (got "not a url")' },
      { path: 'endpoints[3].id', message: 'duplicates endpoints[1].id ("b")' },
    ]);
  });

  it('collects every problem; the message spells out 20 and counts the rest', () => {
    const endpoints = Array.from({ length: 30 }, (_, i) => ({ id: `e${i}`, url: `nope${i}` }));
    const error = errorOf({ ...base(), intervalMs: 1, healthyThreshold: 0, endpoints });
    expect(error.problems).toHaveLength(32);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('Invalid health config (32 problems):');
    expect(lines[1]).toBe('  intervalMs: must be an integer from 100 to 3,600,000 (got 1)');
    expect(lines.slice(1, -1)).toHaveLength(HEALTH_CONFIG_LIMITS.maxProblemsInMessage);
    expect(lines.at(-1)).toBe('  … and 12 more');
  });

  it('words a single problem on one line', () => {
    expect(() => parseHealthConfig({ ...base(), healthyThreshold: 20 })).toThrow(
      /^Invalid health config: healthyThreshold: must be an integer from 1 to 10 \(got 20\)$/,
    );
  });

  it('escapes characters in messages that could hide text', () => {
    const [problem] = problemsOf(withEndpoint({ id: 'ok\u202eko', url: 'http://a' }));
    expect(problem?.message).toContain('"ok\\u202eko"');
  });

  it('accepts 100,000 endpoints and refuses 100,001', () => {
    const endpoints = Array.from({ length: HEALTH_CONFIG_LIMITS.maxEndpoints }, (_, i) => ({
      id: `e${i}`,
      tcp: `10.0.${i >> 8}.${i & 255}:80`,
    }));
    expect(parseHealthConfig({ ...base(), endpoints }).endpoints).toHaveLength(100_000);
    endpoints.push({ id: 'one-too-many', tcp: 'a:1' });
    expect(problemsOf({ ...base(), endpoints })).toEqual([
      {
        path: 'endpoints',
        message: 'must be an array of 1 to 100,000 endpoints (got 100,001 endpoints)',
      },
    ]);
  });
});

describe('readHealthConfig', () => {
  it('reads a valid file (with or without a byte order mark)', async () => {
    expect((await readHealthConfig(file(JSON.stringify(base())))).endpoints).toHaveLength(1);
    expect((await readHealthConfig(file(`\ufeff${JSON.stringify(base())}`))).intervalMs).toBe(
      1_000,
    );
  });

  it('names the file, line and column of a JSON syntax error', async () => {
    const path = file('{\n  "intervalMs": 1000,\n  "endpoints": [\n    { "id": "a", }\n  ]\n}\n');
    const error = await readError(path);
    expect(error).toBeInstanceOf(HealthConfigError);
    expect(error.code).toBe('InvalidParameterValue');
    expect(error.message).toBe(
      `Invalid health config ${path}: invalid JSON at line 4, column 18 (offset 58): expected a double-quoted property name`,
    );
  });

  it.each([
    ['{"intervalMs": }', 'line 1, column 16 (offset 15): unexpected "}"'],
    ['{"a": 1', 'line 1, column 8 (offset 7): unexpected end of input'],
    ['[1 2]', "line 1, column 4 (offset 3): expected ',' or ']'"],
    ['{"a": "x\\q"}', 'line 1, column 9 (offset 8): invalid escape in a string'],
    ['{} {}', 'line 1, column 4 (offset 3): unexpected text after the JSON value'],
    ['', 'line 1, column 1 (offset 0): unexpected end of input'],
  ])('locates the syntax error in %j', async (text, where) => {
    await expect(readHealthConfig(file(text))).rejects.toThrow(`invalid JSON at ${where}`);
  });

  it('names the file in validation problems, and when it cannot be read', async () => {
    const path = file(JSON.stringify({ ...base(), timeoutMs: 5 }));
    await expect(readHealthConfig(path)).rejects.toThrow(
      `Invalid health config ${path}: timeoutMs: must be an integer`,
    );
    const missing = join(dir, 'missing.json');
    const error = await readError(missing);
    expect(error.problems).toEqual([{ path: '', message: 'cannot read the file (ENOENT)' }]);
    expect(error.message).toContain(missing);
  });
});

describe('parseHostPort', () => {
  it('splits host names, IPv4 and bracketed IPv6', () => {
    expect(parseHostPort('db.internal:5432')).toEqual({ host: 'db.internal', port: 5432 });
    expect(parseHostPort('10.0.0.1:1')).toEqual({ host: '10.0.0.1', port: 1 });
    expect(parseHostPort('[2001:db8::1]:443')).toEqual({ host: '2001:db8::1', port: 443 });
    for (const bad of ['db', 'db:', 'db:+80', 'db:080a', '[::1]80', '[::1]', 'a b:80', 'db:99999'])
      expect(parseHostPort(bad)).toBeUndefined();
  });
});

describe('reuseConnections', () => {
  it('is optional, kept when a boolean, and refused otherwise', () => {
    expect(parseHealthConfig(base()).reuseConnections).toBeUndefined();
    expect(parseHealthConfig({ ...base(), reuseConnections: false }).reuseConnections).toBe(false);
    expect(problemsOf({ ...base(), reuseConnections: 'no' })).toEqual([
      { path: 'reuseConnections', message: expect.stringContaining('true or false') },
    ]);
  });
});
