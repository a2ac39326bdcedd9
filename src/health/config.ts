/**
 * Reads and validates a health monitor's JSON config. Every problem is collected (not just the
 * first) and named by its JSON path, so one run of `ballast health run --config` shows them all.
 */
import { isIPv6 } from 'node:net';
import * as v from 'valibot';
import { type ConfigProblem, renderProblems } from '../core/config/problems.js';
import { readJsonFile } from '../core/config/read-file.js';
import {
  type ConfigStyle,
  duplicates,
  fields,
  isPlainObject,
  leaf,
  list,
} from '../core/config/schema.js';
import { validateConfig } from '../core/config/validate.js';
import { describeValue, quote } from '../core/describe-value.js';
import { BallastError } from '../core/errors.js';
import type {
  EndpointConfig,
  HealthConfig,
  HttpEndpointConfig,
  TcpEndpointConfig,
} from './types.js';

/** The bounds `parseHealthConfig` enforces (times in ms, lengths in Unicode code points unless named `Bytes`). */
export const HEALTH_CONFIG_LIMITS = {
  /** Shortest `intervalMs`. @defaultValue 100 */
  minIntervalMs: 100,
  /** Longest `intervalMs` (one hour). @defaultValue 3_600_000 */
  maxIntervalMs: 3_600_000,
  /** Shortest `timeoutMs` (it must also be below `intervalMs`). @defaultValue 10 */
  minTimeoutMs: 10,
  /** Smallest `healthyThreshold` / `unhealthyThreshold`. @defaultValue 1 */
  minThreshold: 1,
  /** Largest `healthyThreshold` / `unhealthyThreshold`. @defaultValue 10 */
  maxThreshold: 10,
  /** Longest `monitorId`, bytes of UTF-8. @defaultValue 32 */
  maxMonitorIdBytes: 32,
  /** Most endpoints in one config. @defaultValue 100_000 */
  maxEndpoints: 100_000,
  /** Longest endpoint `id`. @defaultValue 128 */
  maxEndpointIdLength: 128,
  /** Longest `bodyContains`. @defaultValue 1_024 */
  maxBodyContainsLength: 1_024,
  /** Lowest status an `expectStatus` range may name. @defaultValue 100 */
  minStatus: 100,
  /** Highest status an `expectStatus` range may name. @defaultValue 599 */
  maxStatus: 599,
  /** Problems spelled out in an error's message (all of them are in `problems`). @defaultValue 20 */
  maxProblemsInMessage: 20,
} as const;

/** The status range an HTTP endpoint without `expectStatus` accepts: 2xx and 3xx (redirects are not followed). */
export const DEFAULT_EXPECT_STATUS: readonly [number, number] = Object.freeze([200, 399] as [
  number,
  number,
]);

/** One thing wrong with a config: `path` is the JSON path of the field (`''` for the whole document). */
export type HealthConfigProblem = ConfigProblem;

/** A config that failed validation (code `InvalidParameterValue`); `problems` lists every problem found. */
export class HealthConfigError extends BallastError {
  readonly problems: readonly HealthConfigProblem[];

  /** `source` (a file name) is named in the message when given. */
  constructor(problems: readonly HealthConfigProblem[], source?: string) {
    super(
      'InvalidParameterValue',
      renderProblems(
        source === undefined ? 'Invalid health config' : `Invalid health config ${source}`,
        problems,
        L.maxProblemsInMessage,
      ),
    );
    this.name = 'HealthConfigError';
    this.problems = problems;
  }
}

const L = HEALTH_CONFIG_LIMITS;
const HTTP_ONLY_FIELDS = ['expectStatus', 'bodyContains'] as const;
// Identifiers must not hide anything from a log reader: no control, format (bidi overrides,
// zero-width), lone surrogate or line/paragraph separator characters.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
// For quoting in messages; JSON.stringify already escapes lone surrogates and C0 controls.
const HOST_NAME = /^[A-Za-z0-9._-]{1,253}$/;
const PORT = /^[0-9]{1,5}$/;

/**
 * Validates a parsed JSON config and returns it with defaults filled in (`jitterMs` 0,
 * `expectStatus` `DEFAULT_EXPECT_STATUS`). Throws a `HealthConfigError` listing every problem.
 */
export function parseHealthConfig(input: unknown): HealthConfig {
  return validate(input);
}

/** Reads a JSON config file and validates it like `parseHealthConfig`; a syntax error names the file, line and column. */
export async function readHealthConfig(path: string): Promise<HealthConfig> {
  const file = await readJsonFile(path);
  if (!file.ok) throw new HealthConfigError([file.problem], path);
  return validate(file.value, path);
}

/** `host:port` or `[ipv6]:port` (port 1–65535) split into its parts; undefined when malformed. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    host = text.slice(1, close);
    if (!isIPv6(host)) return undefined;
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return undefined;
    host = text.slice(0, colon);
    if (!HOST_NAME.test(host)) return undefined;
    portText = text.slice(colon + 1);
  }
  if (!PORT.test(portText)) return undefined;
  const port = Number(portText);
  return port >= 1 && port <= 65_535 ? { host, port } : undefined;
}

/** `text` as an http: or https: URL with a host; undefined otherwise. */
export function parseHttpUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
    ? url
    : undefined;
}

// Unknown fields first: a misspelt field name usually explains the "is required" that follows.
const STYLE: ConfigStyle = {
  notObject: (got) => `must be an object (got ${describe(got)})`,
  unknownFields: 'first',
  name: (known) => known,
};

/** An integer from `min` to `max`; `below` says the max is `intervalMs - 1`. */
function integer(min: number, max: number, below = false): v.GenericSchema<unknown, number> {
  const upper = below
    ? `${max.toLocaleString('en-US')} (below intervalMs)`
    : max.toLocaleString('en-US');
  return leaf(
    (x) => isIntegerIn(x, min, max),
    (got) =>
      `must be an integer from ${min.toLocaleString('en-US')} to ${upper} (got ${describe(got)})`,
  );
}

const endpointId = leaf<string>(
  isValidId,
  (got) =>
    `must be a string of 1 to ${L.maxEndpointIdLength} printable characters (got ${describe(got)})`,
);
const httpUrl = leaf<string>(
  (x) => typeof x === 'string' && parseHttpUrl(x) !== undefined,
  (got) => `must be an http:// or https:// URL (got ${describe(got)})`,
);
const hostPort = leaf<string>(
  (x) => typeof x === 'string' && parseHostPort(x) !== undefined,
  (got) => `must be host:port or [ipv6]:port with a port from 1 to 65535 (got ${describe(got)})`,
);
const statusRange = leaf<[number, number]>(
  (x) =>
    Array.isArray(x) &&
    x.length === 2 &&
    isIntegerIn(x[0], L.minStatus, L.maxStatus) &&
    isIntegerIn(x[1], x[0] as number, L.maxStatus),
  (got) =>
    `must be [min, max]: integers from ${L.minStatus} to ${L.maxStatus} with min ≤ max (got ${describe(got)})`,
);
const bodyText = leaf<string>(
  (x) => typeof x === 'string' && lengthBetween(x, 1, L.maxBodyContainsLength),
  (got) =>
    `must be a string of 1 to ${L.maxBodyContainsLength.toLocaleString('en-US')} characters (got ${describe(got)})`,
);

/** One endpoint: an id and exactly one of `url` (with its HTTP-only fields) or `tcp`. */
const ENDPOINT = v.pipe(
  fields(
    // HTTP-only fields before tcp: problems come in this order.
    {
      id: endpointId,
      url: v.optional(v.unknown()),
      expectStatus: v.optional(v.unknown()),
      bodyContains: v.optional(v.unknown()),
      tcp: v.optional(v.unknown()),
    },
    STYLE,
    {
      check: (f) => {
        const problem = (key: string, schema: v.GenericSchema<unknown, unknown>): void => {
          const result = v.safeParse(schema, f.input[key]);
          if (!result.success) f.report([key], result.issues[0].message);
        };
        if (f.has('url') && f.has('tcp'))
          f.report([], 'must have exactly one of url or tcp, not both');
        else if (!f.has('url') && !f.has('tcp')) f.report([], 'must have url or tcp');
        else if (f.has('url')) {
          problem('url', httpUrl);
          if (f.has('expectStatus')) problem('expectStatus', statusRange);
          if (f.has('bodyContains')) problem('bodyContains', bodyText);
        } else {
          for (const key of HTTP_ONLY_FIELDS)
            if (f.has(key)) f.report([key], 'is only allowed with url');
          problem('tcp', hostPort);
        }
      },
    },
  ),
  v.transform((e): EndpointConfig => {
    if (e.tcp !== undefined) return { id: e.id, tcp: e.tcp as string } satisfies TcpEndpointConfig;
    const bodyContains = e.bodyContains as string | undefined;
    const expectStatus = (e.expectStatus as [number, number] | undefined) ?? DEFAULT_EXPECT_STATUS;
    return {
      id: e.id,
      url: e.url as string,
      expectStatus,
      ...(bodyContains === undefined ? {} : { bodyContains }),
    } satisfies HttpEndpointConfig;
  }),
);

const ENDPOINTS = list(ENDPOINT, {
  min: 1,
  max: L.maxEndpoints,
  message: (got) => {
    const count = Array.isArray(got)
      ? `${got.length.toLocaleString('en-US')} endpoints`
      : describe(got);
    return `must be an array of 1 to ${L.maxEndpoints.toLocaleString('en-US')} endpoints (got ${count})`;
  },
  // Duplicates are found among all well-formed ids, even of endpoints with other problems.
  check: (items, report) => {
    const ids = items.map((item) =>
      isPlainObject(item) && isValidId(item['id']) ? item['id'] : undefined,
    );
    for (const { index, first } of duplicates(ids))
      report([index, 'id'], `duplicates endpoints[${first}].id (${quote(ids[index] as string)})`);
  },
});

const monitorId = leaf<string>(
  (x) =>
    typeof x === 'string' &&
    Buffer.byteLength(x, 'utf8') >= 1 &&
    Buffer.byteLength(x, 'utf8') <= L.maxMonitorIdBytes,
  (got) =>
    `must be a string of 1 to ${L.maxMonitorIdBytes} bytes of UTF-8 (got ${typeof got === 'string' ? `${Buffer.byteLength(got, 'utf8')} bytes` : describe(got)})`,
);

/** The whole config; `timeoutMs` and `jitterMs` are bounded by a valid `intervalMs`, else by the longest interval. */
const HEALTH_CONFIG = v.pipe(
  fields(
    {
      intervalMs: integer(L.minIntervalMs, L.maxIntervalMs),
      timeoutMs: v.unknown(),
      healthyThreshold: integer(L.minThreshold, L.maxThreshold),
      unhealthyThreshold: integer(L.minThreshold, L.maxThreshold),
      jitterMs: v.optional(v.unknown()),
      monitorId: v.optional(monitorId),
      reuseConnections: v.optional(
        leaf<boolean>(
          (x) => typeof x === 'boolean',
          (got) => `must be true or false (got ${describe(got)})`,
        ),
      ),
      endpoints: ENDPOINTS,
    },
    { ...STYLE, notObject: (got) => `must be a JSON object (got ${describe(got)})` },
    {
      check: (f) => {
        const interval = f.valid('intervalMs');
        const below = (min: number): v.GenericSchema<unknown, number> =>
          interval === undefined
            ? integer(min, L.maxIntervalMs - 1)
            : integer(min, interval - 1, true);
        for (const [key, min] of [
          ['timeoutMs', L.minTimeoutMs],
          ['jitterMs', 0],
        ] as const) {
          const result = v.safeParse(below(min), f.input[key]);
          if (f.has(key) && !result.success) f.report([key], result.issues[0].message);
        }
      },
    },
  ),
  v.transform((c): HealthConfig => ({
    intervalMs: c.intervalMs,
    timeoutMs: c.timeoutMs as number,
    healthyThreshold: c.healthyThreshold,
    unhealthyThreshold: c.unhealthyThreshold,
    jitterMs: (c.jitterMs as number | undefined) ?? 0,
    ...(c.monitorId === undefined ? {} : { monitorId: c.monitorId }),
    ...(c.reuseConnections === undefined ? {} : { reuseConnections: c.reuseConnections }),
    endpoints: c.endpoints,
  })),
);

function validate(input: unknown, source?: string): HealthConfig {
  const result = validateConfig(HEALTH_CONFIG, input);
  if (!result.ok) throw new HealthConfigError(result.problems, source);
  return result.value;
}

function isValidId(id: unknown): id is string {
  return (
    typeof id === 'string' && lengthBetween(id, 1, L.maxEndpointIdLength) && !UNPRINTABLE.test(id)
  );
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** Whether `text` has min..max code points (surrogate pairs count once). */
function lengthBetween(text: string, min: number, max: number): boolean {
  // UTF-16 length bounds the code point count from above and, halved, from below.
  if (text.length <= max && text.length >= min * 2) return true;
  let n = 0;
  for (const _ of text) if (++n > max) return false;
  return n >= min;
}

/** A short rendering of a bad value for a message (small arrays of plain values are shown whole). */
function describe(value: unknown): string {
  if (Array.isArray(value) && value.length <= 4 && value.every((item) => typeof item !== 'object'))
    return JSON.stringify(value);
  return describeValue(value);
}
