/**
 * Reads and validates a health monitor's JSON config. Every problem is collected (not just the
 * first) and named by its JSON path, so one run of `ballast health run --config` shows them all.
 */
import { readFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { describeValue, quote } from '../core/describe-value.js';
import { BallastError } from '../core/errors.js';
import { suggest } from '../core/suggest.js';
import type { EndpointConfig, HealthConfig, HttpEndpointConfig, TcpEndpointConfig } from './types.js';

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
export const DEFAULT_EXPECT_STATUS: readonly [number, number] = Object.freeze([200, 399] as [number, number]);

/** One thing wrong with a config: `path` is the JSON path of the field (`''` for the whole document). */
export interface HealthConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** A config that failed validation (code `InvalidParameterValue`); `problems` lists every problem found. */
export class HealthConfigError extends BallastError {
  readonly problems: readonly HealthConfigProblem[];

  /** `source` (a file name) is named in the message when given. */
  constructor(problems: readonly HealthConfigProblem[], source?: string) {
    super('InvalidParameterValue', formatProblems(problems, source));
    this.name = 'HealthConfigError';
    this.problems = problems;
  }
}

const L = HEALTH_CONFIG_LIMITS;
const TOP_FIELDS = ['intervalMs', 'timeoutMs', 'healthyThreshold', 'unhealthyThreshold', 'jitterMs', 'monitorId', 'reuseConnections', 'endpoints'];
const ENDPOINT_FIELDS = ['id', 'url', 'tcp', 'expectStatus', 'bodyContains'];
const HTTP_ONLY_FIELDS = ['expectStatus', 'bodyContains'];
// Identifiers must not hide anything from a log reader: no control, format (bidi overrides,
// zero-width), lone surrogate or line/paragraph separator characters.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
// For quoting in messages; JSON.stringify already escapes lone surrogates and C0 controls.
const HOST_NAME = /^[A-Za-z0-9._-]{1,253}$/;
const PORT = /^[0-9]{1,5}$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Validates a parsed JSON config and returns it with defaults filled in (`jitterMs` 0,
 * `expectStatus` `DEFAULT_EXPECT_STATUS`). Throws a `HealthConfigError` listing every problem.
 */
export function parseHealthConfig(input: unknown): HealthConfig {
  return validate(input);
}

/** Reads a JSON config file and validates it like `parseHealthConfig`; a syntax error names the file, line and column. */
export async function readHealthConfig(path: string): Promise<HealthConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new HealthConfigError([{ path: '', message: `cannot read the file (${code})` }], path);
  }
  // Editors on Windows like to start UTF-8 files with a byte order mark; JSON.parse does not.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new HealthConfigError([{ path: '', message: describeSyntaxError(text, error) }], path);
  }
  return validate(root, path);
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
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : undefined;
}

type Fields = Record<string, unknown>;

/** The problems found so far, in document order. */
class Problems {
  readonly list: HealthConfigProblem[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

function validate(input: unknown, source?: string): HealthConfig {
  const problems = new Problems();
  if (!isObject(input)) {
    problems.add('', `must be a JSON object (got ${describe(input)})`);
    throw new HealthConfigError(problems.list, source);
  }
  unknownFields(input, TOP_FIELDS, '', problems);
  const intervalMs = integer(input, 'intervalMs', L.minIntervalMs, L.maxIntervalMs, problems);
  // Both bounds below depend on intervalMs; without a valid one, only the fixed bounds apply.
  const below = intervalMs === undefined ? L.maxIntervalMs - 1 : intervalMs - 1;
  const timeoutMs = integer(input, 'timeoutMs', L.minTimeoutMs, below, problems, intervalMs !== undefined);
  const healthyThreshold = integer(input, 'healthyThreshold', L.minThreshold, L.maxThreshold, problems);
  const unhealthyThreshold = integer(input, 'unhealthyThreshold', L.minThreshold, L.maxThreshold, problems);
  const jitterMs = input['jitterMs'] === undefined ? 0 : integer(input, 'jitterMs', 0, below, problems, intervalMs !== undefined);
  const monitorId = input['monitorId'];
  if (monitorId !== undefined) {
    const bytes = typeof monitorId === 'string' ? Buffer.byteLength(monitorId, 'utf8') : 0;
    if (bytes < 1 || bytes > L.maxMonitorIdBytes) {
      const got = typeof monitorId === 'string' ? `${bytes} bytes` : describe(monitorId);
      problems.add('monitorId', `must be a string of 1 to ${L.maxMonitorIdBytes} bytes of UTF-8 (got ${got})`);
    }
  }
  const reuse = input['reuseConnections'];
  if (reuse !== undefined && typeof reuse !== 'boolean') problems.add('reuseConnections', `must be true or false (got ${describe(reuse)})`);
  const endpoints = validateEndpoints(input['endpoints'], problems);
  if (problems.list.length > 0) throw new HealthConfigError(problems.list, source);
  return {
    intervalMs: intervalMs as number,
    timeoutMs: timeoutMs as number,
    healthyThreshold: healthyThreshold as number,
    unhealthyThreshold: unhealthyThreshold as number,
    jitterMs: jitterMs as number,
    ...(monitorId === undefined ? {} : { monitorId: monitorId as string }),
    ...(reuse === undefined ? {} : { reuseConnections: reuse as boolean }),
    endpoints,
  };
}

function validateEndpoints(value: unknown, problems: Problems): EndpointConfig[] {
  if (value === undefined) {
    problems.add('endpoints', 'is required');
    return [];
  }
  if (!Array.isArray(value) || value.length < 1 || value.length > L.maxEndpoints) {
    const got = Array.isArray(value) ? `${value.length.toLocaleString('en-US')} endpoints` : describe(value);
    problems.add('endpoints', `must be an array of 1 to ${L.maxEndpoints.toLocaleString('en-US')} endpoints (got ${got})`);
    if (!Array.isArray(value)) return [];
  }
  // Past the limit the config is rejected anyway; checking a million more entries would only add noise.
  const count = Math.min(value.length, L.maxEndpoints);
  const out: EndpointConfig[] = [];
  const firstIndexOf = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const raw = value[i] as unknown;
    const endpoint = validateEndpoint(raw, i, problems);
    if (endpoint !== undefined) out.push(endpoint);
    // Duplicates are found among all well-formed ids, even of endpoints with other problems.
    const id = isObject(raw) ? raw['id'] : undefined;
    if (!isValidId(id)) continue;
    const first = firstIndexOf.get(id);
    if (first === undefined) firstIndexOf.set(id, i);
    else problems.add(`endpoints[${i}].id`, `duplicates endpoints[${first}].id (${quote(id)})`);
  }
  return out;
}

function validateEndpoint(value: unknown, i: number, problems: Problems): EndpointConfig | undefined {
  const at = `endpoints[${i}]`;
  if (!isObject(value)) {
    problems.add(at, `must be an object (got ${describe(value)})`);
    return undefined;
  }
  const before = problems.list.length;
  unknownFields(value, ENDPOINT_FIELDS, at, problems);
  const { id, url, tcp } = value;
  if (id === undefined) problems.add(`${at}.id`, 'is required');
  else if (!isValidId(id)) problems.add(`${at}.id`, `must be a string of 1 to ${L.maxEndpointIdLength} printable characters (got ${describe(id)})`);
  let endpoint: EndpointConfig | undefined;
  if (url !== undefined && tcp !== undefined) problems.add(at, 'must have exactly one of url or tcp, not both');
  else if (url === undefined && tcp === undefined) problems.add(at, 'must have url or tcp');
  else if (url !== undefined) endpoint = httpEndpoint(value, id as string, at, problems);
  else {
    for (const field of HTTP_ONLY_FIELDS) if (value[field] !== undefined) problems.add(`${at}.${field}`, 'is only allowed with url');
    if (typeof tcp !== 'string' || parseHostPort(tcp) === undefined) {
      problems.add(`${at}.tcp`, `must be host:port or [ipv6]:port with a port from 1 to 65535 (got ${describe(tcp)})`);
    }
    endpoint = { id: id as string, tcp: tcp as string } satisfies TcpEndpointConfig;
  }
  return problems.list.length === before ? endpoint : undefined;
}

function httpEndpoint(value: Fields, id: string, at: string, problems: Problems): HttpEndpointConfig {
  const { url, expectStatus, bodyContains } = value;
  if (typeof url !== 'string' || parseHttpUrl(url) === undefined) {
    problems.add(`${at}.url`, `must be an http:// or https:// URL (got ${describe(url)})`);
  }
  let range = DEFAULT_EXPECT_STATUS;
  if (expectStatus !== undefined) {
    const [min, max] = Array.isArray(expectStatus) ? (expectStatus as unknown[]) : [];
    const valid =
      Array.isArray(expectStatus) && expectStatus.length === 2 && isIntegerIn(min, L.minStatus, L.maxStatus) && isIntegerIn(max, min as number, L.maxStatus);
    if (valid) range = [min as number, max as number];
    else problems.add(`${at}.expectStatus`, `must be [min, max]: integers from ${L.minStatus} to ${L.maxStatus} with min ≤ max (got ${describe(expectStatus)})`);
  }
  if (bodyContains !== undefined && (typeof bodyContains !== 'string' || !lengthBetween(bodyContains, 1, L.maxBodyContainsLength))) {
    problems.add(`${at}.bodyContains`, `must be a string of 1 to ${L.maxBodyContainsLength.toLocaleString('en-US')} characters (got ${describe(bodyContains)})`);
  }
  return { id, url: url as string, expectStatus: range, ...(bodyContains === undefined ? {} : { bodyContains: bodyContains as string }) };
}

/** Reads top-level `key` as an integer in [min, max] (reporting otherwise); `belowInterval` says the max is `intervalMs - 1`. */
function integer(fields: Fields, key: string, min: number, max: number, problems: Problems, belowInterval = false): number | undefined {
  const value = fields[key];
  if (value === undefined) {
    problems.add(key, 'is required');
    return undefined;
  }
  if (isIntegerIn(value, min, max)) return value;
  const upper = belowInterval ? `${max.toLocaleString('en-US')} (below intervalMs)` : max.toLocaleString('en-US');
  problems.add(key, `must be an integer from ${min.toLocaleString('en-US')} to ${upper} (got ${describe(value)})`);
  return undefined;
}

function unknownFields(fields: Fields, known: readonly string[], at: string, problems: Problems): void {
  for (const key of Object.keys(fields)) {
    if (known.includes(key)) continue;
    const suggestion = suggest(key, known);
    problems.add(pathOf(at, key), `is not a known field${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`);
  }
}

function formatProblems(problems: readonly HealthConfigProblem[], source?: string): string {
  const what = source === undefined ? 'Invalid health config' : `Invalid health config ${source}`;
  const line = (p: HealthConfigProblem): string => (p.path === '' ? p.message : `${p.path}: ${p.message}`);
  if (problems.length === 1 && problems[0] !== undefined) return `${what}: ${line(problems[0])}`;
  const shown = problems.slice(0, L.maxProblemsInMessage).map((p) => `\n  ${line(p)}`);
  const more = problems.length - shown.length;
  return `${what} (${problems.length} problems):${shown.join('')}${more > 0 ? `\n  … and ${more} more` : ''}`;
}

/** Where `JSON.parse` gave up: V8's messages do not always carry a position, so the text is scanned again. */
function describeSyntaxError(text: string, error: unknown): string {
  const found = findJsonError(text);
  if (found === undefined) return `invalid JSON: ${(error as Error).message}`;
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < found.offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `invalid JSON at line ${line}, column ${found.offset - lineStart + 1} (offset ${found.offset}): ${found.reason}`;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const SPACE = /[ \t\n\r]*/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4})/y;

/** The offset and reason of the first JSON syntax error in `text`; undefined when it is valid. */
function findJsonError(text: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const closers: string[] = [];
  const skipSpace = (): void => {
    SPACE.lastIndex = i;
    SPACE.test(text);
    i = SPACE.lastIndex;
  };
  const found = (reason: string): { offset: number; reason: string } => ({ offset: i, reason: i >= text.length ? 'unexpected end of input' : reason });
  // Scans the string starting at i; returns a reason when it is malformed.
  const string = (): string | undefined => {
    for (i++; i < text.length; ) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return 'control character in a string';
      if (c === 0x5c) {
        ESCAPE.lastIndex = i;
        if (!ESCAPE.test(text)) return 'invalid escape in a string';
        i = ESCAPE.lastIndex;
      } else i++;
    }
    return 'unterminated string';
  };
  // Expects an object key and its colon at i.
  const key = (): string | undefined => {
    skipSpace();
    if (text[i] !== '"') return 'expected a double-quoted property name';
    const bad = string();
    if (bad !== undefined) return bad;
    skipSpace();
    if (text[i] !== ':') return "expected ':' after a property name";
    i++;
    return undefined;
  };
  for (;;) {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      skipSpace();
      if (text[i] === close) i++;
      else {
        closers.push(close);
        const bad = close === '}' ? key() : undefined;
        if (bad !== undefined) return found(bad);
        continue;
      }
    } else if (c === '"') {
      const bad = string();
      if (bad !== undefined) return found(bad);
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) return found(`unexpected ${JSON.stringify(c)}`);
      i = NUMBER.lastIndex;
    }
    // After a value: a comma, the closer of the innermost container, or the end.
    for (;;) {
      skipSpace();
      const close = closers[closers.length - 1];
      if (close === undefined) return i >= text.length ? undefined : found('unexpected text after the JSON value');
      if (text[i] === close) {
        closers.pop();
        i++;
        continue;
      }
      if (text[i] !== ',') return found(`expected ',' or '${close}'`);
      i++;
      if (close === '}') {
        const bad = key();
        if (bad !== undefined) return found(bad);
      }
      break;
    }
  }
}

function isValidId(id: unknown): id is string {
  return typeof id === 'string' && lengthBetween(id, 1, L.maxEndpointIdLength) && !UNPRINTABLE.test(id);
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

function pathOf(at: string, key: string): string {
  const shown = IDENTIFIER.test(key) ? `.${key}` : `[${quote(key)}]`;
  return at === '' && shown.startsWith('.') ? shown.slice(1) : `${at}${shown}`;
}

/** A short rendering of a bad value for a message (small arrays of plain values are shown whole). */
function describe(value: unknown): string {
  if (Array.isArray(value) && value.length <= 4 && value.every((v) => typeof v !== 'object')) return JSON.stringify(value);
  return describeValue(value);
}
