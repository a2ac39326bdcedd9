import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Idempotency } from '../idempotency.js';
import { readIdempotencyKey } from './key.js';
import { BodyTooLarge, readBodyOnce } from './read-body.js';
import {
  answerFor,
  DEFAULT_DOCS_URL,
  keyProblem,
  NotStored,
  problem,
  type ProblemAnswer,
  retentionHeaders,
  type StoredResponse as Stored,
} from './problems.js';

/** Options of the HTTP idempotency middleware. */
export interface HttpIdempotencyOptions {
  /** Methods that take keys. @defaultValue ['POST', 'PATCH'] */
  methods?: string[];
  /** Answer 400 when a request of those methods has no key. @defaultValue false */
  required?: boolean;
  /** Who is calling (user id, API key id): keys are scoped by it, so clients never see each other's results. @defaultValue '' */
  identity?: (req: IncomingMessage) => string;
  /** The route a key belongs to. @defaultValue the path without the query string */
  route?: (req: IncomingMessage) => string;
  /** Response headers stored and replayed. @defaultValue ['content-type', 'location'] */
  headers?: string[];
  /** Store 5xx responses too. @defaultValue false */
  storeServerErrors?: boolean;
  /** Largest body stored, bytes; larger ones pass through and release the key. @defaultValue 1,048,576 */
  maxBodyBytes?: number;
  /** Largest request body the middleware reads itself when no body parser ran (413 above it), bytes. @defaultValue 1,048,576 */
  maxRequestBytes?: number;
  /** When the store is unavailable: `closed` answers 503, `open` runs the request without idempotency. @defaultValue 'closed' */
  onStoreError?: 'closed' | 'open';
  /** Advertise how long keys are kept: `Idempotency-TTL: <ttlSeconds>` on every response to a keyed request. @defaultValue false */
  advertiseRetention?: boolean;
  /** Link of the problem documents' `type`. @defaultValue 'https://github.com/ballast/ballast/blob/main/docs/idempotency.md' */
  docsUrl?: string;
}

/**
 * Connect-style middleware (Express, or plain `node:http` via `(req, res) => mw(req, res, handler)`)
 * implementing the IETF Idempotency-Key draft: 400 missing/invalid key (when required), 409 with
 * Retry-After while in flight, 422 for a key reused with a different request, replay of the first
 * response with `Idempotent-Replayed: true`. Fingerprints the parsed body on `req.body` (a body
 * parser before it, e.g. `express.json()`); when none ran, it reads the body itself, puts it back on
 * the stream for the handler, and leaves it on `req.rawBody` (and JSON on `req.body`).
 */
export function expressIdempotency(idem: Idempotency, options: HttpIdempotencyOptions = {}) {
  const methods = new Set((options.methods ?? ['POST', 'PATCH']).map((m) => m.toUpperCase()));
  const keep = (options.headers ?? ['content-type', 'location']).map((h) => h.toLowerCase());
  const maxBody = options.maxBodyBytes ?? 1_048_576;
  const maxRequest = options.maxRequestBytes ?? 1_048_576;
  const docs = options.docsUrl ?? DEFAULT_DOCS_URL;
  const send = (res: ServerResponse, a: ProblemAnswer): void =>
    void res.writeHead(a.status, a.headers).end(a.body);
  return (
    req: IncomingMessage & { body?: unknown; rawBody?: Buffer },
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void => {
    if (!methods.has((req.method ?? '').toUpperCase())) return next();
    const header = readIdempotencyKey(req.headers['idempotency-key']);
    const bad = keyProblem(header, options.required === true, docs);
    if (bad === 'skip') return next();
    if (bad || !('key' in header)) return bad ? send(res, bad) : next();
    for (const [name, value] of Object.entries(
      retentionHeaders(idem.ttlSeconds, options.advertiseRetention),
    ))
      res.setHeader(name, value);
    /** Runs the request under its key, fingerprinting `input`. */
    const start = (key: string, scope: string, input: unknown): void => {
      let ranDownstream = false;
      const running: { run?: Promise<unknown> } = {};
      const run = idem.run<Stored>({ key, scope, input }, () => {
        ranDownstream = true;
        return capture(
          res,
          keep,
          maxBody,
          options.storeServerErrors === true,
          next,
          () => running.run,
        );
      });
      running.run = run;
      run
        .then(({ value, replayed }) => {
          if (!replayed) return; // the live response already went out
          res.writeHead(value.status, { ...value.headers, 'idempotent-replayed': 'true' });
          res.end(Buffer.from(value.body, 'base64'));
        })
        .catch((error: unknown) => {
          if (ranDownstream || res.headersSent) return; // the response went out (and was not stored)
          const answer = answerFor(error, docs, options.onStoreError);
          if (answer === 'open') return next();
          if (answer) return send(res, answer);
          next(error);
        });
    };
    const route = options.route?.(req) ?? (req.url ?? '').split('?')[0]!;
    const scope = `${options.identity?.(req) ?? ''} ${req.method} ${route}`;
    if (req.body !== undefined) return start(header.key, scope, req.body);
    // No body parser ran (plain node:http): read the body here, or every request would look alike.
    readBodyOnce(req, maxRequest).then(
      (body) => {
        if (body) {
          req.rawBody = body.raw;
          if ('json' in body) req.body = body.json;
        }
        start(header.key, scope, body?.input ?? null);
      },
      (error: unknown) => {
        if (!(error instanceof BodyTooLarge)) return next(error);
        send(
          res,
          problem(
            docs,
            413,
            'Request body too large',
            `An idempotent request body may have at most ${maxRequest} bytes.`,
          ),
        );
      },
    );
  };
}

/**
 * Runs the rest of the chain, recording the response; rejects (releasing the key) when it must
 * not be stored. The response ends only once its record is stored (`stored()` settles), so a
 * client that retries after receiving it is always answered with the replay.
 */
function capture(
  res: ServerResponse,
  keep: string[],
  maxBody: number,
  storeServerErrors: boolean,
  next: (error?: unknown) => void,
  stored: () => Promise<unknown> | undefined,
): Promise<Stored> {
  return new Promise<Stored>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Headers given to writeHead never reach getHeader(): record them on the way out.
    const written: Record<string, string> = {};
    const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const headers = rest.find((r) => typeof r === 'object' && r !== null);
      if (Array.isArray(headers)) {
        for (let i = 0; i + 1 < headers.length; i += 2)
          written[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
      } else if (headers) {
        for (const [k, v] of Object.entries(headers as Record<string, unknown>))
          written[k.toLowerCase()] = String(v);
      }
      return writeHead(status, ...rest);
    }) as typeof res.writeHead;
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
    const add = (chunk: unknown): void => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += b.length;
      if (size <= maxBody) chunks.push(b);
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      add(chunk);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      add(chunk);
      const status = res.statusCode;
      if ((status >= 500 && !storeServerErrors) || size > maxBody) {
        reject(new NotStored());
        return end(chunk, ...rest);
      }
      const headers: Record<string, string> = {};
      for (const h of keep) {
        const v = written[h] ?? res.getHeader(h);
        if (v !== undefined) headers[h] = String(v);
      }
      resolve({ status, headers, body: Buffer.concat(chunks).toString('base64') });
      // Whether or not the record could be stored, the live response goes out.
      void Promise.resolve(stored())
        .catch(() => undefined)
        .then(() => end(chunk, ...rest));
      return res;
    }) as typeof res.end;
    res.on('close', () => {
      if (!res.writableEnded) reject(new NotStored());
    });
    next();
  });
}
