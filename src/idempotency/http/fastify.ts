import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/** Options of the Fastify adapter: as the node one, with identity and route read from Fastify's request. */
export type FastifyIdempotencyOptions = Omit<HttpIdempotencyOptions, 'identity' | 'route'> & {
  /** Who is calling: keys are scoped by it. @defaultValue '' */
  identity?: (req: FastifyRequest) => string;
  /** The route a key belongs to. @defaultValue the matched route's URL pattern */
  route?: (req: FastifyRequest) => string;
};

const CAPTURE = Symbol('ballast.idempotency.capture');
type Capture = {
  resolve: (r: StoredResponse) => void;
  reject: (e: unknown) => void;
  run: () => Promise<unknown> | undefined;
};
type WithCapture = FastifyRequest & { [CAPTURE]?: Capture };

/**
 * Fastify plugin implementing the IETF Idempotency-Key draft (same answers as
 * `expressIdempotency`): `await app.register(fastifyIdempotency(idem, options))`. It applies to
 * every route of the instance it is registered on; the parsed body is what a key is compared against.
 */
export function fastifyIdempotency(idem: Idempotency, options: FastifyIdempotencyOptions = {}) {
  const methods = new Set((options.methods ?? ['POST', 'PATCH']).map((m) => m.toUpperCase()));
  const keep = (options.headers ?? ['content-type', 'location']).map((h) => h.toLowerCase());
  const maxBody = options.maxBodyBytes ?? 1_048_576;
  const docs = options.docsUrl ?? DEFAULT_DOCS_URL;
  const send = (reply: FastifyReply, a: ProblemAnswer): FastifyReply =>
    reply.code(a.status).headers(a.headers).send(a.body);

  async function preHandler(
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> {
    if (!methods.has(req.method.toUpperCase())) return;
    const header = readIdempotencyKey(req.headers['idempotency-key']);
    const bad = keyProblem(header, options.required === true, docs);
    if (bad === 'skip' || !('key' in header))
      return bad && bad !== 'skip' ? send(reply, bad) : undefined;
    reply.headers(retentionHeaders(idem.ttlSeconds, options.advertiseRetention));
    const scope = `${options.identity?.(req) ?? ''} ${req.method} ${options.route?.(req) ?? req.routeOptions.url ?? req.url.split('?')[0]}`;
    let started!: () => void;
    const startedP = new Promise<'started'>((r) => (started = () => r('started')));
    const run: Promise<{ value: StoredResponse; replayed: boolean }> = idem.run<StoredResponse>(
      { key: header.key, scope, input: req.body ?? null },
      () => {
        started();
        // Settled by onSend with what the handler answered (or rejected: not stored, key released).
        return new Promise<StoredResponse>(
          (resolve, reject) =>
            ((req as WithCapture)[CAPTURE] = { resolve, reject, run: () => run }),
        );
      },
    );
    const first = await Promise.race([
      startedP,
      run.then(
        (r) => ({ r }),
        (error: unknown) => ({ error }),
      ),
    ]);
    if (first === 'started') {
      run.catch(() => undefined); // a run that is not stored only releases its key
      return;
    }
    if ('error' in first) {
      const answer = answerFor(first.error, docs, options.onStoreError);
      if (answer === 'open') return;
      if (answer) return send(reply, answer);
      throw first.error;
    }
    const v = first.r.value;
    return reply
      .code(v.status)
      .headers({ ...v.headers, 'idempotent-replayed': 'true' })
      .send(Buffer.from(v.body, 'base64'));
  }

  async function onSend(
    req: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
  ): Promise<unknown> {
    const capture = (req as WithCapture)[CAPTURE];
    if (!capture) return payload;
    delete (req as WithCapture)[CAPTURE];
    const bytes =
      typeof payload === 'string'
        ? Buffer.from(payload)
        : Buffer.isBuffer(payload)
          ? payload
          : payload == null
            ? Buffer.alloc(0)
            : null;
    // Streams pass through unstored (documented): the key is released.
    if (
      bytes === null ||
      bytes.length > maxBody ||
      (reply.statusCode >= 500 && options.storeServerErrors !== true)
    ) {
      capture.reject(new NotStored());
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const h of keep) {
      const value = reply.getHeader(h);
      if (value !== undefined) headers[h] = String(value);
    }
    capture.resolve({ status: reply.statusCode, headers, body: bytes.toString('base64') });
    // The response goes out once its record is stored: a retry after receiving it is a replay.
    await Promise.resolve(capture.run()).catch(() => undefined);
    return payload;
  }

  async function onResponse(req: FastifyRequest): Promise<void> {
    // The client went away before a response was sent: nothing to store.
    (req as WithCapture)[CAPTURE]?.reject(new NotStored());
  }

  const plugin = async (app: FastifyInstance): Promise<void> => {
    app.addHook('preHandler', preHandler);
    app.addHook('onSend', onSend);
    app.addHook('onResponse', onResponse);
  };
  // As fastify-plugin does: apply to the instance it is registered on, not a child context.
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}
