import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { isBallastError } from '../../core/errors.js';
import { readBody } from '../body.js';
import type { ServerEnv } from '../env.js';
import type { ServerCredentials } from '../options.js';
import { verifySigV4 } from '../protocols/aws/sigv4.js';

/** What the operator-route gate accepts. */
export interface OpsGateOptions {
  /** Access keys whose SigV4 signatures (any signing name, any region) open the gate. */
  credentials: readonly ServerCredentials[];
  /** A bearer token (`Authorization: Bearer <token>`) that opens the gate; `null` for none. */
  token: string | null;
  /** The SigV4 replay window, seconds. */
  maxClockSkewSeconds: number;
  /** Server time, epoch ms. */
  now: () => number;
}

/** Largest body the gate reads to check a signed non-GET request, bytes (operator routes take small bodies). */
const MAX_GATED_BODY_BYTES = 1024 * 1024;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Hono middleware guarding operator routes (`/metrics`, later `/console`): open when neither keys
 * nor a token are configured; otherwise the request needs `Authorization: Bearer <token>` or a
 * valid SigV4 signature by one of the keys. No credentials → 401 with `WWW-Authenticate: Bearer`;
 * credentials that are wrong → 403. Answers `{"code","message"}` JSON.
 */
export function opsGate(options: OpsGateOptions): MiddlewareHandler<ServerEnv> {
  const { credentials, token } = options;
  // Compared as digests, so neither the length nor the bytes of the token leak through timing.
  const tokenDigest = token === null ? null : digest(token);
  return async (c, next) => {
    if (credentials.length === 0 && tokenDigest === null) return next();
    const refuse = (status: 401 | 403, code: string, message: string): Response => {
      const headers: Record<string, string> =
        status === 401 ? { 'WWW-Authenticate': 'Bearer realm="ballast"' } : {};
      return c.json({ code, message }, status, headers);
    };
    const auth = c.req.header('authorization')?.trim() ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
    if (bearer) {
      if (tokenDigest !== null && timingSafeEqual(digest(bearer[1]!), tokenDigest)) return next();
      return refuse(
        403,
        'InvalidToken',
        'The bearer token is not the one this server was given (--metrics-token).',
      );
    }
    if (/^AWS4-HMAC-SHA256\s/.test(auth)) {
      if (credentials.length === 0)
        return refuse(
          403,
          'SignatureDoesNotMatch',
          'This server has no access keys: use the bearer token.',
        );
      const request = c.req.raw;
      try {
        const body =
          request.method === 'GET' || request.method === 'HEAD'
            ? new Uint8Array(0)
            : await readBody(request.clone(), MAX_GATED_BODY_BYTES);
        verifySigV4(
          { method: request.method, url: request.url, headers: request.headers, body },
          {
            credentials,
            service: null,
            maxClockSkewSeconds: options.maxClockSkewSeconds,
            now: options.now(),
          },
        );
      } catch (error) {
        if (!isBallastError(error)) throw error;
        return refuse(403, error.code, error.message);
      }
      return next();
    }
    const how = [
      tokenDigest !== null ? 'Authorization: Bearer <token>' : null,
      credentials.length > 0 ? 'an AWS SigV4 signature' : null,
    ].filter(Boolean);
    return refuse(
      401,
      'MissingAuthenticationToken',
      `This route needs credentials: ${how.join(' or ')}.`,
    );
  };
}
