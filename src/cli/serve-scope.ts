import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';

/** `--region` and `--account` of `ballast serve`, and the URLs a wildcard bind is reachable on. */

/** A region as AWS writes them: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * The region and account of `--region` / `--account` (else `BALLAST_REGION` / `BALLAST_ACCOUNT`),
 * or the message saying which is wrong. Unset ones are left to `openBallast`'s defaults.
 */
export function serveScope(
  region: string | undefined,
  account: string | undefined,
): { ok: true; region?: string; accountId?: string } | { ok: false; message: string } {
  if (region !== undefined && !REGION.test(region))
    return {
      ok: false,
      message: `--region must be an AWS region such as us-east-1 or eu-central-1, got "${region}"`,
    };
  if (account !== undefined && !/^\d{12}$/.test(account))
    return {
      ok: false,
      message: `--account must be a 12-digit AWS account id such as 000000000000, got "${account}"`,
    };
  return {
    ok: true,
    ...(region !== undefined ? { region } : {}),
    ...(account !== undefined ? { accountId: account } : {}),
  };
}

/** True for `0.0.0.0` and `::`: a socket bound to every interface, not an address a client can use. */
export const isWildcard = (address: string): boolean => address === '0.0.0.0' || address === '::';

/**
 * For a wildcard bind, the `http://<address>:<port>` URLs of this machine's external
 * interfaces (IPv4 first; IPv6 too when bound to `::`); empty for any other bind.
 */
export function wildcardUrls(bound: AddressInfo): string[] {
  if (!isWildcard(bound.address)) return [];
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') v4.push(`http://${a.address}:${bound.port}`);
      // Link-local addresses need a zone id no URL carries well: leave them out.
      else if (bound.address === '::' && !a.address.startsWith('fe80'))
        v6.push(`http://[${a.address}]:${bound.port}`);
    }
  return [...v4, ...v6];
}

/** The banner's second line for a wildcard bind: which URLs to use, and that QueueUrls follow the client's Host. */
export function wildcardNote(bound: AddressInfo, localUrl: string): string | null {
  if (!isWildcard(bound.address)) return null;
  const others = wildcardUrls(bound);
  const reach =
    others.length > 0
      ? `from other machines use ${others.join(' or ')}`
      : 'this machine has no external interface right now';
  return `ballast: ${bound.address} means every interface, not an address to connect to: on this machine use ${localUrl}; ${reach}. QueueUrls name the host each client connected to (--public-url fixes one).`;
}
