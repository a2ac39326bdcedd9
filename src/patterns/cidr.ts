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
  readonly network: string | number;
}

/** An address as 16-bit words: 2 for IPv4, 8 for IPv6. */
export type IpWords = readonly number[];

const V6_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** Dotted-quad IPv4 as two 16-bit words; up to 3 digits per part, each at most 255. */
function parseV4(text: string): number[] | null {
  let part = 0;
  let digits = 0;
  let parts = 0;
  let value = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || part > 255 || parts === 4) return null;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else {
      return null;
    }
  }
  return parts === 4 ? [Math.floor(value / 65536), value % 65536] : null;
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

let lastText: string | undefined;
let lastWords: IpWords | null = null;

/** Parses an IPv4 or IPv6 address, or returns null. Remembers the last answer: one event's value is tested by many rules. */
export function parseIp(text: string): IpWords | null {
  if (text !== lastText) {
    lastWords = text.includes(':') ? parseV6(text) : parseV4(text);
    lastText = text;
  }
  return lastWords;
}

/** The first `bits` bits of `words` as a key (same key ⇔ same network): a number for IPv4. */
export function networkKey(words: IpWords, bits: number): string | number {
  if (words.length === 2) {
    const ip = words[0]! * 65536 + words[1]!;
    return bits === 0 ? 0 : Math.floor(ip / 2 ** (32 - bits));
  }
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
  return (
    words.length === (block.version === 4 ? 2 : 8) &&
    networkKey(words, block.bits) === block.network
  );
}
