import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * True when `host` only accepts connections from this machine: `localhost`, 127.0.0.0/8, `::1`
 * (and IPv4-mapped `::ffff:127.x.y.z`). `0.0.0.0`, `::` and any other name or address are not.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.split('.')[0] === '127';
}

/** `127.0.0.1:4566`, `[::]:4566`: a bound socket address as people write it. */
export function formatAddress(address: AddressInfo): string {
  return address.family === 'IPv6' || address.address.includes(':')
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}

/** The stderr warning for a server reachable from other machines with no access keys; `null` when there is nothing to warn about. */
export function exposureWarning(host: string, hasKeys: boolean): string | null {
  if (hasKeys || isLoopbackHost(host)) return null;
  return [
    `ballast: WARNING: --host ${host} is reachable from other machines and no access keys are set:`,
    '  anyone who can reach this port can send, receive, purge and delete messages and queues, and read /metrics.',
    '  Set BALLAST_ACCESS_KEYS="id:secret[,id:secret…]" to require SigV4 signatures (and --require-auth to refuse to start without them).',
  ].join('\n');
}
