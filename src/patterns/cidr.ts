/**
 * `cidr` matching for IPv4 and IPv6. The base address need not be the network address
 * (`220.160.154.255/24` is the /24 around it). Addresses are held as 16-bit words so that both
 * families share one masking rule.
 */
import { invalid, type PatternStep } from './invalid.js';

/** A parsed CIDR block. */
export interface CidrBlock {
  readonly text: string;
  readonly version: 4 | 6;
  /** Mask length, bits. */
  readonly bits: number;
  /** The network (base address with host bits cleared), as `networkKey` renders it. */
  readonly network: string;
}

/** An address as 16-bit words: 2 for IPv4, 8 for IPv6. */
export type IpWords = readonly number[];

const V4_PART = /^\d{1,3}$/;
const V6_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function parseV4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const p of parts) {
    if (!V4_PART.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    bytes.push(n);
  }
  return [(bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!];
}

function groups(text: string): number[] | null {
  if (text === '') return [];
  const out: number[] = [];
  const list = text.split(':');
  for (let i = 0; i < list.length; i++) {
    const g = list[i]!;
    if (i === list.length - 1 && g.includes('.')) {
      const v4 = parseV4(g);
      if (!v4) return null;
      out.push(...v4);
    } else if (V6_GROUP.test(g)) {
      out.push(parseInt(g, 16));
    } else {
      return null;
    }
  }
  return out;
}

function parseV6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = groups(halves[0]!);
  if (!head) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const tail = groups(halves[1]!);
  if (!tail || head.length + tail.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** Parses an IPv4 or IPv6 address, or returns null. */
export function parseIp(text: string): IpWords | null {
  return text.includes(':') ? parseV6(text) : parseV4(text);
}

/** The first `bits` bits of `words` as a string key (same key ⇔ same network). */
export function networkKey(words: IpWords, bits: number): string {
  let key = '';
  for (let i = 0; i < words.length; i++) {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    const word = keep === 0 ? 0 : words[i]! & ((0xffff << (16 - keep)) & 0xffff);
    key += `${word.toString(16)}.`;
  }
  return key;
}

/** Parses the value of `{"cidr": …}` at `at`. */
export function parseCidr(value: unknown, at: readonly PatternStep[]): CidrBlock {
  // AWS words this error as if cidr were prefix (reference/eventbridge.md §4).
  if (typeof value !== 'string') invalid('prefix match pattern must be a string', at);
  const slash = value.split('/');
  if (slash.length !== 2) invalid("Malformed CIDR, one '/' required", at);
  const [base, mask] = slash as [string, string];
  if (!/^\d+$/.test(mask)) invalid('Malformed CIDR, mask bits must be an integer', at);
  const words = parseIp(base);
  if (!words) invalid(`Nonstandard IP address: ${base}`, at);
  const version = words.length === 2 ? 4 : 6;
  const bits = Number(mask);
  const max = version === 4 ? 32 : 128;
  if (bits > max) invalid(`Malformed CIDR, mask bits must be between 0 and ${max}`, at);
  return { text: value, version, bits, network: networkKey(words, bits) };
}

/** Whether the address `words` lies in `block`. */
export function inCidr(block: CidrBlock, words: IpWords): boolean {
  return words.length === (block.version === 4 ? 2 : 8) && networkKey(words, block.bits) === block.network;
}
