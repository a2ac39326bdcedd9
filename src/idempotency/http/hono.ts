import type { Context, MiddlewareHandler } from 'hono';
import type { Idempotency } from '../idempotency.js';
import { readIdempotencyKey } from './key.js';
import type { HttpIdempotencyOptions } from './node.js';
import {
  answerFor,
  DEFAULT_DOCS_URL,
  keyProblem,
  NotStored,
  type ProblemAnswer,
  retentionHeaders,
  type StoredResponse,
} from './problems.js';

/** Options of the Hono adapter: as the node one, with identity and route read from Hono's context. */
export type HonoIdempotencyOptions = Omit<HttpIdempotencyOptions, 'identity' | 'route'> & {
  /** Who is calling: keys are scoped by it. @defaultValue '' */
  identity?: (c: Context) => string;
  /** The route a key belongs to. @defaultValue the matched route pattern (`c.req.routePath`), else the path */
  route?: (c: Context) => string;
};

/**
 * Hono middleware implementing the IETF Idempotency-Key draft (same answers as
 * `expressIdempotency`); the request body (JSON, else text) is what a key is compared against.
 */
export function honoIdempotency(
  idem: Idempotency,
  options: HonoIdempotencyOptions = {},
): MiddlewareHandler {
  const methods = new Set((options.methods ?? ['POST', 'PATCH']).map((m) => m.toUpperCase()));
  const keep = (options.headers ?? ['content-type', 'location']).map((h) => h.toLowerCase());
  const maxBody = options.maxBodyBytes ?? 1_048_576;
  const docs = options.docsUrl ?? DEFAULT_DOCS_URL;
  const retention = (): Record<string, string> =>
    retentionHeaders(idem.ttlSeconds, options.advertiseRetention);
  const respond = (a: ProblemAnswer): Response =>
    new Response(a.body, { status: a.status, headers: { ...a.headers, ...retention() } });
  return async (c, next) => {
    if (!methods.has(c.req.method.toUpperCase())) return next();
    const header = readIdempotencyKey(c.req.header('idempotency-key'));
    const bad = keyProblem(header, options.required === true, docs);
    if (bad === 'skip' || !('key' in header)) return bad && bad !== 'skip' ? respond(bad) : next();
    for (const [name, value] of Object.entries(retention())) c.header(name, value);
    const text = await c.req.raw.clone().text();
    let input: unknown = text;
    try {
      input = text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      // not JSON: the text itself is the request
    }
    const scope = `${options.identity?.(c) ?? ''} ${c.req.method} ${options.route?.(c) ?? c.req.routePath ?? c.req.path}`;
    let ran = false;
    try {
      const { value, replayed } = await idem.run<StoredResponse>(
        { key: header.key, scope, input },
        async () => {
          ran = true;
          await next();
          const res = c.res;
          const bytes = Buffer.from(await res.clone().arrayBuffer());
          if ((res.status >= 500 && options.storeServerErrors !== true) || bytes.length > maxBody)
            throw new NotStored();
          const headers: Record<string, string> = {};
          for (const h of keep) {
            const v = res.headers.get(h);
            if (v !== null) headers[h] = v;
          }
          return { status: res.status, headers, body: bytes.toString('base64') };
        },
      );
      if (!replayed) return;
      return new Response(Buffer.from(value.body, 'base64'), {
        status: value.status,
        headers: { ...value.headers, ...retention(), 'idempotent-replayed': 'true' },
      });
    } catch (error) {
      if (ran) return; // the live response stands (and was not stored)
      const answer = answerFor(error, docs, options.onStoreError);
      if (answer === 'open') return next();
      if (answer) return respond(answer);
      throw error;
    }
  };
}
