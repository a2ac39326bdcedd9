import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BallastError, isBallastError } from '../core/errors.js';
import { readIdempotencyKey } from '../idempotency/http/key.js';
import { problem } from '../idempotency/http/problems.js';
import type { SoftRealTimeInteraction } from './soft-real-time.js';

/** Options of `acceptRoutes`. */
export interface AcceptRoutesOptions<P> {
  /** Turns the JSON body into the payload; throw (any error) to answer 400 with its message. @defaultValue the body as is */
  parse?: (body: unknown) => P;
  /** Largest request body, bytes. @defaultValue 262,144 */
  maxBodyBytes?: number;
  /** Suggested wait between status polls while an operation is unfinished, seconds. @defaultValue 1 */
  retryAfterSeconds?: number;
  /** Path put before `operations/<id>` in `Location` when a framework strips the mount path (Express `app.use('/x', …)`: pass '/x'). @defaultValue '' */
  locationPrefix?: string;
  /** The `type` link of problem documents. @defaultValue docs/interactions.md on GitHub */
  docsUrl?: string;
}

const DOCS = 'https://github.com/ballast/ballast/blob/main/docs/interactions.md#soft-real-time';

/**
 * HTTP for a soft-real-time interaction (a Hono app; mount it with `app.route('/thumbnails', …)`):
 * `POST /` registers the JSON body and answers **202 Accepted** with `Location: …/operations/<id>`
 * (an `Idempotency-Key` header makes retries answer the same operation); `GET /operations/<id>`
 * answers its status (with `Retry-After` until it finishes), 404 for an unknown id.
 */
export function acceptRoutes<P>(
  interaction: SoftRealTimeInteraction<P, unknown>,
  options: AcceptRoutesOptions<P> = {},
): Hono {
  const maxBytes = options.maxBodyBytes ?? 262_144;
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > 1_048_576)
    throw new BallastError(
      'InvalidParameterValue',
      `maxBodyBytes must be a whole number from 1 to 1,048,576 (got ${String(maxBytes)})`,
    );
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const docs = options.docsUrl ?? DOCS;
  const prefix = (options.locationPrefix ?? '').replace(/\/$/, '');
  const answer = (
    c: Context,
    p: { status: number; headers: Record<string, string>; body: string },
  ) => c.body(p.body, p.status as 400, p.headers);
  const app = new Hono();

  // bodyLimit counts a chunked body as it streams in: a body over the limit is never held whole.
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      answer(c, problem(docs, 413, 'Request too large', `The body is over ${maxBytes} bytes.`)),
  });
  app.post('/', limit, async (c) => {
    const text = await c.req.text();
    let payload: P;
    try {
      const body: unknown = text === '' ? null : JSON.parse(text);
      payload = options.parse ? options.parse(body) : (body as P);
    } catch (error) {
      return answer(c, problem(docs, 400, 'Invalid request', (error as Error).message));
    }
    const header = readIdempotencyKey(c.req.header('idempotency-key'));
    if ('invalid' in header)
      return answer(c, problem(docs, 400, 'Idempotency-Key is invalid', header.invalid));
    try {
      const s = await interaction.submit(
        payload,
        'key' in header ? { idempotencyKey: header.key } : {},
      );
      const location = `${prefix}${c.req.path.replace(/\/$/, '')}/operations/${s.operationId}`;
      return c.json(
        {
          operationId: s.operationId,
          state: 'pending',
          submittedAt: new Date(s.submittedAt).toISOString(),
          location,
        },
        202,
        { location, 'retry-after': retryAfter },
      );
    } catch (error) {
      return answer(c, problemFor(error, docs));
    }
  });

  app.get('/operations/:id', async (c) => {
    try {
      const status = await interaction.status(c.req.param('id'));
      if (!status)
        return answer(
          c,
          problem(
            docs,
            404,
            'No such operation',
            'This operation id is unknown, or its status has expired.',
          ),
        );
      const unfinished = status.state === 'pending' || status.state === 'running';
      const body = {
        ...status,
        submittedAt: new Date(status.submittedAt).toISOString(),
        ...(status.finishedAt !== undefined
          ? { finishedAt: new Date(status.finishedAt).toISOString() }
          : {}),
      };
      return c.json(
        body,
        200,
        unfinished
          ? { 'retry-after': retryAfter, 'cache-control': 'no-store' }
          : { 'cache-control': 'no-store' },
      );
    } catch (error) {
      return answer(c, problemFor(error, docs));
    }
  });
  return app;
}

/** The same routes as a `node:http` / Express request listener (mount it under a path with Express's `app.use`). */
export function acceptListener<P>(
  interaction: SoftRealTimeInteraction<P, unknown>,
  options: AcceptRoutesOptions<P> = {},
): RequestListener {
  const listener = getRequestListener(acceptRoutes(interaction, options).fetch);
  // node:http ignores a listener's promise; hono's listener answers its own errors (500), so it never rejects.
  return (req, res) => void listener(req, res);
}

function problemFor(error: unknown, docs: string) {
  if (!isBallastError(error))
    return problem(
      docs,
      500,
      'Internal error',
      'The request could not be registered; retry with the same Idempotency-Key.',
    );
  const status = error.shape.status;
  const extra: Record<string, string> =
    status === 503 || status === 409 ? { 'retry-after': '1' } : {};
  return problem(docs, status, error.code, error.message, extra);
}
