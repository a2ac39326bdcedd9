/**
 * The binary health snapshot, format 1: a fixed 76-byte header and 2 bits per endpoint, so its
 * size depends only on the endpoint count, never on how many endpoints fail.
 *
 * Header (all integers big-endian):
 *   0 magic `BLHS` · 4 u8 format version (1) · 5 u8 bits per endpoint (2) · 6 u16 reserved (0)
 *   8 monitor id (32 bytes of UTF-8, zero-padded) · 40 u64 epoch ms · 48 u64 sequence
 *   56 u64 time ms · 64 u32 layout version · 68 u32 endpoint count · 72 u32 CRC-32 (zlib) of the
 *   whole snapshot with these 4 bytes zero.
 * Body from byte 76: endpoint i is bits (i % 4) × 2 and (i % 4) × 2 + 1 of byte ⌊i / 4⌋, least
 * significant bits first (endpoint 0 = 0b000000xx); unused bits of the last byte are zero.
 */
import { crc32 } from 'node:zlib';
import { BallastError } from '../core/errors.js';
import { type EndpointState, type HealthLayout, type Snapshot, STATE_CODES } from './types.js';

/** Bytes before the first endpoint's bits (76). */
export const SNAPSHOT_HEADER_BYTES = 76;

const MAGIC = [0x42, 0x4c, 0x48, 0x53]; // 'BLHS'
const FORMAT_VERSION = 1;
const BITS_PER_ENDPOINT = 2;
const MONITOR_ID_AT = 8;
const MONITOR_ID_BYTES = 32;
const EPOCH_AT = 40;
const SEQUENCE_AT = 48;
const TIME_AT = 56;
const LAYOUT_AT = 64;
const COUNT_AT = 68;
const CRC_AT = 72;
const MAX_COUNT = 0xffff_ffff;
const TWO_32 = 2 ** 32;
const CRC_ZEROS = new Uint8Array(4);

/** Why `decodeSnapshot` refused some bytes. */
export type SnapshotErrorReason =
  | 'too-short'
  | 'bad-magic'
  | 'unsupported-version'
  | 'bad-length'
  | 'bad-checksum'
  | 'bad-state'
  /** A u64 field above 2^53 − 1 (a JavaScript number cannot hold it exactly). */
  | 'bad-field';

/** The only error `decodeSnapshot` throws: the bytes are not a well-formed format-1 snapshot. */
export class SnapshotError extends Error {
  /** What is wrong, as a stable string. */
  readonly reason: SnapshotErrorReason;

  constructor(reason: SnapshotErrorReason, message: string) {
    super(message);
    this.name = 'SnapshotError';
    this.reason = reason;
  }
}

/** Size in bytes of the snapshot of `count` endpoints: 76 + ⌈count / 4⌉. */
export function snapshotBytes(count: number): number {
  if (!Number.isInteger(count) || count < 0 || count > MAX_COUNT) {
    throw new BallastError(
      'InvalidParameterValue',
      `endpoint count must be an integer from 0 to ${MAX_COUNT}, got ${count}`,
    );
  }
  return SNAPSHOT_HEADER_BYTES + Math.ceil(count / 4);
}

/** Encodes `s` into a new buffer of exactly `snapshotBytes(s.states.length)` bytes; throws `InvalidParameterValue` on bad fields. */
export function encodeSnapshot(s: Snapshot): Buffer {
  const target = Buffer.alloc(snapshotBytes(s.states.length));
  encodeSnapshotInto(s, target);
  return target;
}

/**
 * Encodes `s` into the start of `target` without allocating (a monitor reuses one buffer per
 * tick) and returns the bytes written. Everything is checked before the first byte is written,
 * so a refused snapshot leaves `target` as it was.
 */
export function encodeSnapshotInto(s: Snapshot, target: Buffer): number {
  const size = checkSnapshot(s);
  if (target.length < size)
    throw new BallastError(
      'InvalidParameterValue',
      `the target buffer holds ${target.length} bytes; the snapshot needs ${size}`,
    );
  target.set(MAGIC, 0);
  target[4] = FORMAT_VERSION;
  target[5] = BITS_PER_ENDPOINT;
  target.writeUInt16BE(0, 6);
  const idEnd = MONITOR_ID_AT + target.write(s.monitorId, MONITOR_ID_AT, MONITOR_ID_BYTES, 'utf8');
  target.fill(0, idEnd, MONITOR_ID_AT + MONITOR_ID_BYTES);
  writeU64(target, EPOCH_AT, s.epoch);
  writeU64(target, SEQUENCE_AT, s.sequence);
  writeU64(target, TIME_AT, s.timeMs);
  target.writeUInt32BE(s.layoutVersion, LAYOUT_AT);
  target.writeUInt32BE(s.states.length, COUNT_AT);
  packStates(s.states, target);
  target.writeUInt32BE(checksum(target, size), CRC_AT);
  return size;
}

/**
 * Decodes and verifies a snapshot (the states are copied out, so `buf` may be reused). Throws
 * `SnapshotError` — and nothing else, whatever the bytes — when they are malformed.
 */
export function decodeSnapshot(buf: Uint8Array): Snapshot {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < SNAPSHOT_HEADER_BYTES)
    throw new SnapshotError(
      'too-short',
      `a snapshot has at least ${SNAPSHOT_HEADER_BYTES} bytes, got ${b.length}`,
    );
  if (b[0] !== MAGIC[0] || b[1] !== MAGIC[1] || b[2] !== MAGIC[2] || b[3] !== MAGIC[3])
    throw new SnapshotError('bad-magic', 'not a Ballast health snapshot (no BLHS magic)');
  if (b[4] !== FORMAT_VERSION)
    throw new SnapshotError(
      'unsupported-version',
      `snapshot format ${b[4]} is not supported (only ${FORMAT_VERSION})`,
    );
  if (b[5] !== BITS_PER_ENDPOINT)
    throw new SnapshotError(
      'unsupported-version',
      `${b[5]} bits per endpoint is not supported (only ${BITS_PER_ENDPOINT})`,
    );
  const count = b.readUInt32BE(COUNT_AT);
  const size = SNAPSHOT_HEADER_BYTES + Math.ceil(count / 4);
  if (b.length !== size)
    throw new SnapshotError('bad-length', `${count} endpoints take ${size} bytes, got ${b.length}`);
  if (b.readUInt32BE(CRC_AT) !== checksum(b, size))
    throw new SnapshotError('bad-checksum', 'the CRC-32 does not match');
  const states = unpackStates(b, count);
  let idEnd = MONITOR_ID_AT + MONITOR_ID_BYTES;
  while (idEnd > MONITOR_ID_AT && b[idEnd - 1] === 0) idEnd--;
  return {
    formatVersion: FORMAT_VERSION,
    // Invalid UTF-8 becomes U+FFFD rather than an exception: the checksum already vouched for the bytes.
    monitorId: b.toString('utf8', MONITOR_ID_AT, idEnd),
    epoch: readU64(b, EPOCH_AT, 'epoch'),
    sequence: readU64(b, SEQUENCE_AT, 'sequence'),
    timeMs: readU64(b, TIME_AT, 'time'),
    layoutVersion: b.readUInt32BE(LAYOUT_AT),
    states,
  };
}

/** One endpoint in `SnapshotJson`: `id` is the endpoint id when the layout matches, else the slot index. */
export interface SnapshotJsonEndpoint {
  readonly id: string | number;
  readonly state: EndpointState;
}

/** The human view of a snapshot (`GET /v1/health/snapshot.json`); `time` is ISO 8601, or null when out of the Date range. */
export interface SnapshotJson {
  readonly formatVersion: number;
  readonly monitorId: string;
  readonly epoch: number;
  readonly sequence: number;
  readonly time: string | null;
  readonly layoutVersion: number;
  readonly endpointCount: number;
  readonly counts: {
    readonly healthy: number;
    readonly unhealthy: number;
    readonly unknown: number;
  };
  readonly endpoints: readonly SnapshotJsonEndpoint[];
  /** Why the latest failed probe of each unhealthy endpoint failed, by id: served by a monitor (not an aggregate). */
  readonly lastErrors?: Readonly<Record<string, string>>;
}

/**
 * A JSON-ready view of `s`; endpoints are named by `layout` only when it is the snapshot's layout
 * (same version and count); with `lastErrors` (in layout order) the unhealthy ones' are listed by id.
 */
export function snapshotToJson(
  s: Snapshot,
  layout?: HealthLayout,
  lastErrors?: readonly (string | undefined)[],
): SnapshotJson {
  const ids =
    layout && layout.version === s.layoutVersion && layout.ids.length === s.states.length
      ? layout.ids
      : undefined;
  const counts = { healthy: 0, unhealthy: 0, unknown: 0 };
  const errors: Record<string, string> = {};
  const endpoints: SnapshotJsonEndpoint[] = new Array(s.states.length);
  for (let i = 0; i < s.states.length; i++) {
    const state = STATE_CODES[s.states[i]!] ?? 'unknown';
    counts[state]++;
    endpoints[i] = { id: ids ? ids[i]! : i, state };
    const lastError = ids && state === 'unhealthy' ? lastErrors?.[i] : undefined;
    if (ids && lastError !== undefined) errors[ids[i]!] = lastError;
  }
  const time = new Date(s.timeMs);
  return {
    formatVersion: s.formatVersion,
    monitorId: s.monitorId,
    epoch: s.epoch,
    sequence: s.sequence,
    time: Number.isNaN(time.getTime()) ? null : time.toISOString(),
    layoutVersion: s.layoutVersion,
    endpointCount: s.states.length,
    counts,
    endpoints,
    ...(lastErrors && ids ? { lastErrors: errors } : {}),
  };
}

/** Checks every field of `s` and returns its encoded size. */
function checkSnapshot(s: Snapshot): number {
  const fail = (message: string): never => {
    throw new BallastError('InvalidParameterValue', `snapshot: ${message}`);
  };
  if (s.formatVersion !== FORMAT_VERSION)
    fail(`formatVersion must be ${FORMAT_VERSION}, got ${s.formatVersion}`);
  if (typeof s.monitorId !== 'string') fail('monitorId must be a string');
  const idBytes = Buffer.byteLength(s.monitorId, 'utf8');
  if (idBytes > MONITOR_ID_BYTES)
    fail(`monitorId is ${idBytes} bytes of UTF-8; at most ${MONITOR_ID_BYTES}`);
  // Padding is zeros, so a trailing NUL would be lost on the way back.
  if (s.monitorId.endsWith('\0')) fail('monitorId must not end with a NUL character');
  for (const [name, value] of [
    ['epoch', s.epoch],
    ['sequence', s.sequence],
    ['timeMs', s.timeMs],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0)
      fail(`${name} must be a non-negative safe integer, got ${value}`);
  }
  if (!Number.isInteger(s.layoutVersion) || s.layoutVersion < 0 || s.layoutVersion > 0xffff_ffff)
    fail(`layoutVersion must be a u32, got ${s.layoutVersion}`);
  const states = s.states;
  if (!(states instanceof Uint8Array)) fail('states must be a Uint8Array');
  for (let i = 0; i < states.length; i++) {
    if (states[i]! > 2)
      fail(`states[${i}] is ${states[i]}; codes are 0 unknown, 1 healthy, 2 unhealthy`);
  }
  return snapshotBytes(states.length);
}

function packStates(states: Uint8Array, target: Buffer): void {
  const n = states.length;
  let o = SNAPSHOT_HEADER_BYTES;
  let i = 0;
  for (; i + 4 <= n; i += 4)
    target[o++] =
      states[i]! | (states[i + 1]! << 2) | (states[i + 2]! << 4) | (states[i + 3]! << 6);
  if (i < n) {
    let last = 0;
    for (let shift = 0; i < n; i++, shift += 2) last |= states[i]! << shift;
    target[o] = last;
  }
}

function unpackStates(b: Buffer, count: number): Uint8Array {
  const states = new Uint8Array(count);
  // A slot holds 3 exactly when both of its bits are set: (x & x >> 1) keeps that in the pair's low bit.
  let threes = 0;
  let o = SNAPSHOT_HEADER_BYTES;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const x = b[o++]!;
    threes |= x & (x >>> 1);
    states[i] = x & 3;
    states[i + 1] = (x >>> 2) & 3;
    states[i + 2] = (x >>> 4) & 3;
    states[i + 3] = x >>> 6;
  }
  if (i < count) {
    const x = b[o]!;
    const used = (count - i) * 2;
    if (x >>> used !== 0)
      throw new SnapshotError(
        'bad-state',
        `the unused bits after endpoint ${count - 1} are not zero`,
      );
    threes |= x & (x >>> 1);
    for (let shift = 0; i < count; i++, shift += 2) states[i] = (x >>> shift) & 3;
  }
  if ((threes & 0x55) !== 0)
    throw new SnapshotError(
      'bad-state',
      `endpoint ${states.indexOf(3)} has state code 3 (codes are 0 to 2)`,
    );
  return states;
}

function checksum(b: Buffer, size: number): number {
  const header = crc32(b.subarray(0, CRC_AT));
  return crc32(b.subarray(SNAPSHOT_HEADER_BYTES, size), crc32(CRC_ZEROS, header));
}

function writeU64(target: Buffer, at: number, value: number): void {
  target.writeUInt32BE(Math.floor(value / TWO_32), at);
  target.writeUInt32BE(value >>> 0, at + 4);
}

function readU64(b: Buffer, at: number, name: string): number {
  const high = b.readUInt32BE(at);
  // 2^53 − 1 has 21 bits above the low 32: anything more is not a safe integer.
  if (high > 0x1f_ffff) throw new SnapshotError('bad-field', `${name} is above 2^53 - 1`);
  return high * TWO_32 + b.readUInt32BE(at + 4);
}
