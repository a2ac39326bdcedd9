/**
 * The format-1 snapshot codec: the same size for the same endpoint count whatever fails, a
 * documented bit order, and a decoder that answers any bytes with a snapshot or a SnapshotError.
 */
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import { layoutOf } from '../../src/health/layout.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  encodeSnapshotInto,
  SNAPSHOT_HEADER_BYTES,
  snapshotBytes,
  SnapshotError,
  type SnapshotErrorReason,
  snapshotToJson,
} from '../../src/health/snapshot.js';
import type { Snapshot } from '../../src/health/types.js';
import { prng } from '../../src/testing/prng.js';

const CRC_AT = 72;

function snap(states: ArrayLike<number>, over: Partial<Snapshot> = {}): Snapshot {
  return {
    formatVersion: 1,
    monitorId: 'checker-eu-1',
    epoch: 1_767_225_600_000,
    sequence: 42,
    timeMs: 1_767_225_642_000,
    layoutVersion: 0xdeadbeef,
    states: Uint8Array.from(states),
    ...over,
  };
}

function randomStates(count: number, seed: number): Uint8Array {
  const random = prng(seed);
  return Uint8Array.from({ length: count }, () => Math.floor(random() * 3));
}

/** Rewrites the CRC field so that a crafted body or header passes the checksum. */
function reseal(buf: Buffer): Buffer {
  buf.writeUInt32BE(0, CRC_AT);
  buf.writeUInt32BE(crc32(buf), CRC_AT);
  return buf;
}

/** The reason `decodeSnapshot` refuses `bytes` with; fails the test on any other outcome. */
function reasonOf(bytes: Uint8Array): SnapshotErrorReason | 'decoded' {
  try {
    decodeSnapshot(bytes);
    return 'decoded';
  } catch (error) {
    if (error instanceof SnapshotError) return error.reason;
    throw error;
  }
}

function codeOfSync(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return isBallastError(error) ? error.code : `not a BallastError: ${String(error)}`;
  }
  return 'returned';
}

describe('snapshot codec (format 1)', () => {
  it('round-trips every field', () => {
    for (const count of [0, 1, 3, 4, 5, 17, 1_000]) {
      const s = snap(randomStates(count, count), {
        monitorId: 'é'.repeat(16),
        epoch: Number.MAX_SAFE_INTEGER,
        sequence: 0,
        layoutVersion: count,
      });
      expect(decodeSnapshot(encodeSnapshot(s))).toEqual(s);
    }
    // A plain Uint8Array view into a larger buffer decodes too.
    const bytes = encodeSnapshot(snap([1, 2, 0]));
    const outer = new Uint8Array(bytes.length + 10);
    outer.set(bytes, 5);
    expect(decodeSnapshot(outer.subarray(5, 5 + bytes.length))).toEqual(snap([1, 2, 0]));
  });

  it('has the same size whatever fails: header + ceil(N / 4)', () => {
    expect(SNAPSHOT_HEADER_BYTES).toBe(76);
    for (const count of [0, 1, 3, 4, 5, 10_000, 100_000]) {
      const expected = SNAPSHOT_HEADER_BYTES + Math.ceil(count / 4);
      expect(snapshotBytes(count)).toBe(expected);
      const scenarios: Uint8Array[] = [0, 1, 2].map((code) => new Uint8Array(count).fill(code));
      scenarios.push(randomStates(count, 7));
      for (const states of scenarios) expect(encodeSnapshot(snap(states)).length).toBe(expected);
    }
    expect(snapshotBytes(10_000)).toBe(2_576);
  });

  it('lays out the header big-endian and endpoint i at bits (i % 4) * 2 of byte floor(i / 4)', () => {
    const buf = encodeSnapshot(
      snap([1, 2, 0, 2, 1], {
        monitorId: 'm1',
        epoch: 2 ** 32 + 5,
        sequence: 7,
        timeMs: 258,
        layoutVersion: 0x01020304,
      }),
    );
    const expected = Buffer.alloc(SNAPSHOT_HEADER_BYTES + 2);
    expected.write('BLHS', 0, 'latin1');
    expected[4] = 1; // format version
    expected[5] = 2; // bits per endpoint; bytes 6-7 reserved zero
    expected.write('m1', 8, 'utf8'); // zero-padded to byte 40
    expected.set([0, 0, 0, 1, 0, 0, 0, 5], 40); // epoch 2^32 + 5
    expected.set([0, 0, 0, 0, 0, 0, 0, 7], 48); // sequence
    expected.set([0, 0, 0, 0, 0, 0, 1, 2], 56); // time 258
    expected.set([1, 2, 3, 4], 64); // layout version
    expected.set([0, 0, 0, 5], 68); // endpoint count
    // Endpoints 0..3 = 1, 2, 0, 2 → 0b10_00_10_01; endpoint 4 = 1 in the low bits of the next byte.
    expected[76] = 0b10_00_10_01;
    expected[77] = 0b00_00_00_01;
    expected.writeUInt32BE(crc32(expected), CRC_AT);
    expect(buf.toString('hex')).toBe(expected.toString('hex'));
  });

  it('encodes into a reused buffer and returns the bytes written', () => {
    const target = Buffer.alloc(200, 0xaa);
    const s = snap(randomStates(9, 3));
    const written = encodeSnapshotInto(s, target);
    expect(written).toBe(snapshotBytes(9));
    expect(target.subarray(0, written).equals(encodeSnapshot(s))).toBe(true);
    expect(target[written]).toBe(0xaa);
    // A refused snapshot leaves the target untouched.
    const before = Buffer.from(target);
    expect(codeOfSync(() => encodeSnapshotInto(snap([1, 3]), target))).toBe(
      'InvalidParameterValue',
    );
    expect(target.equals(before)).toBe(true);
    expect(codeOfSync(() => encodeSnapshotInto(s, Buffer.alloc(written - 1)))).toBe(
      'InvalidParameterValue',
    );
  });

  it('refuses bad fields at encode with InvalidParameterValue', () => {
    const bad: Partial<Snapshot>[] = [
      { monitorId: 'x'.repeat(33) },
      { monitorId: 'é'.repeat(17) }, // 34 bytes of UTF-8
      { monitorId: 'a\0' },
      { states: Uint8Array.of(0, 1, 3) },
      { states: Uint8Array.of(255) },
      { epoch: -1 },
      { sequence: 1.5 },
      { timeMs: 2 ** 53 },
      { layoutVersion: 2 ** 32 },
      { formatVersion: 2 },
    ];
    for (const over of bad)
      expect(codeOfSync(() => encodeSnapshot(snap([1], over)))).toBe('InvalidParameterValue');
    expect(codeOfSync(() => encodeSnapshot(snap([1], { monitorId: 'x'.repeat(32) })))).toBe(
      'returned',
    );
    expect(codeOfSync(() => snapshotBytes(-1))).toBe('InvalidParameterValue');
  });

  it('names every malformation with a SnapshotError reason', () => {
    const valid = () => encodeSnapshot(snap([1, 2, 0, 1, 2]));
    const cases: [SnapshotErrorReason, Buffer][] = [
      ['too-short', Buffer.alloc(0)],
      ['too-short', valid().subarray(0, SNAPSHOT_HEADER_BYTES - 1)],
      ['bad-magic', reseal(Object.assign(valid(), { 0: 0x41 }))],
      ['unsupported-version', reseal(Object.assign(valid(), { 4: 2 }))],
      ['unsupported-version', reseal(Object.assign(valid(), { 5: 4 }))],
      ['bad-length', valid().subarray(0, SNAPSHOT_HEADER_BYTES + 1)],
      ['bad-length', Buffer.concat([valid(), Buffer.alloc(1)])],
      ['bad-checksum', Object.assign(valid(), { 76: 0 })],
      ['bad-state', reseal(Object.assign(valid(), { 76: 0b11_00_00_00 }))], // endpoint 3 = code 3
      ['bad-state', reseal(Object.assign(valid(), { 77: 0b00_01_00_10 }))], // a bit set past the last endpoint
      ['bad-field', reseal(Object.assign(valid(), { 48: 0x00, 49: 0x20 }))], // sequence ≥ 2^53
    ];
    for (const [reason, bytes] of cases)
      expect({ reason, got: reasonOf(bytes) }).toEqual({ reason, got: reason });
    const error = (() => {
      try {
        decodeSnapshot(reseal(Object.assign(valid(), { 76: 0b11_00_00_00 })));
      } catch (e) {
        return e as SnapshotError;
      }
    })();
    expect(error?.message).toContain('endpoint 3');
  });

  it('fuzz: random, truncated and bit-flipped bytes only ever give a SnapshotError', () => {
    const random = prng(20260101);
    const valid = encodeSnapshot(snap(randomStates(37, 11)));
    for (let n = 0; n < 2_000; n++) {
      const bytes = Buffer.alloc(Math.floor(random() * 160));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
      // Half of them get a valid prefix so that the later checks are reached too.
      if (n % 2 === 0)
        valid.copy(bytes, 0, 0, Math.min(bytes.length, 6 + Math.floor(random() * 70)));
      if (n % 4 === 0 && bytes.length >= SNAPSHOT_HEADER_BYTES) reseal(bytes);
      expect([
        'decoded',
        'too-short',
        'bad-magic',
        'unsupported-version',
        'bad-length',
        'bad-checksum',
        'bad-state',
        'bad-field',
      ]).toContain(reasonOf(bytes));
    }
    // CRC-32 catches every single-bit error, and no truncation has the right length.
    for (let bit = 0; bit < valid.length * 8; bit++) {
      const flipped = Buffer.from(valid);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(reasonOf(flipped)).not.toBe('decoded');
    }
    for (let length = 0; length < valid.length; length++)
      expect(reasonOf(valid.subarray(0, length))).not.toBe('decoded');
  });

  it('gives a human view, naming endpoints only by their own layout', () => {
    const layout = layoutOf(['a', 'b', 'c']);
    const s = snap([1, 2, 0], { layoutVersion: layout.version, timeMs: Date.UTC(2026, 0, 1) });
    expect(snapshotToJson(s, layout)).toEqual({
      formatVersion: 1,
      monitorId: 'checker-eu-1',
      epoch: s.epoch,
      sequence: 42,
      time: '2026-01-01T00:00:00.000Z',
      layoutVersion: layout.version,
      endpointCount: 3,
      counts: { healthy: 1, unhealthy: 1, unknown: 1 },
      endpoints: [
        { id: 'a', state: 'healthy' },
        { id: 'b', state: 'unhealthy' },
        { id: 'c', state: 'unknown' },
      ],
    });
    const other = layoutOf(['a', 'b', 'd']);
    expect(snapshotToJson(s, other).endpoints.map((e) => e.id)).toEqual([0, 1, 2]);
    expect(snapshotToJson(s).endpoints.map((e) => e.id)).toEqual([0, 1, 2]);
  });
});

describe('layoutOf', () => {
  it('hashes the ids in order, unambiguously', () => {
    const ab = layoutOf(['a', 'b']);
    expect(layoutOf(['a', 'b'])).toEqual(ab);
    expect(layoutOf(['b', 'a']).version).not.toBe(ab.version);
    // Length prefixes: joining differently cannot collide.
    expect(layoutOf(['ab', 'c']).version).not.toBe(layoutOf(['a', 'bc']).version);
    expect(ab.version).toBeGreaterThanOrEqual(0);
    expect(ab.version).toBeLessThanOrEqual(0xffff_ffff);
    expect(Number.isInteger(layoutOf([]).version)).toBe(true);
  });

  it('refuses empty, long, malformed and repeated ids, naming the index', () => {
    const cases: [string[], string][] = [
      [['a', ''], 'ids[1]'],
      [['x'.repeat(129)], 'ids[0]'],
      [['ok', 'é'.repeat(65)], 'ids[1]'], // 130 bytes of UTF-8
      [['a', 'b', 'a'], 'ids[2]'],
      [['\ud800'], 'ids[0]'],
    ];
    for (const [ids, where] of cases) {
      expect(() => layoutOf(ids)).toThrow(where);
      expect(codeOfSync(() => layoutOf(ids))).toBe('InvalidParameterValue');
    }
    expect(layoutOf(['x'.repeat(128), '😀']).ids).toHaveLength(2);
  });
});

describe('snapshotToJson with the monitor’s last errors', () => {
  it("lists the unhealthy endpoints' last errors by id, only under their own layout", () => {
    const layout = layoutOf(['a', 'b', 'c']);
    const s = snap([1, 2, 0], { layoutVersion: layout.version });
    const errors = ['old failure', 'ECONNREFUSED', 'timed out'];
    // Only b is unhealthy: a healthy or unknown endpoint's old error is not news.
    expect(snapshotToJson(s, layout, errors).lastErrors).toEqual({ b: 'ECONNREFUSED' });
    expect(snapshotToJson(s, layoutOf(['x', 'y', 'z']), errors).lastErrors).toBeUndefined();
    expect(snapshotToJson(s, layout)).not.toHaveProperty('lastErrors');
  });
});
