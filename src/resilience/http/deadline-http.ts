import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { type Clock, systemClock } from '../../core/clock.js';
import { BallastError, isBallastError } from '../../core/errors.js';
import { Deadline, DEADLINE_HEADER, MAX_DEADLINE_MS } from '../deadline.js';

const current = new AsyncLocalStorage<Deadline>();

/** The deadline of the request being handled (set by `deadlineMiddleware`), if any. */
export function currentDeadline(): Deadline | undefined {
  return current.getStore();
}

/** Runs `fn` with `deadline` as the current one (outgoing calls made inside inherit it). */
export function withDeadline<T>(deadline: Deadline, fn: () => T): T {
  return current.run(deadline, fn);
}

/** Options of `deadlineMiddleware`. */
export interface DeadlineMiddlewareOptions {
  /** Budget of a request that carries no header, ms; undefined = such requests get no deadline. @defaultValue undefined */
  defaultMs?: number;
  /** Largest budget honoured, ms: a caller cannot grant itself more. @defaultValue 60,000 */
  maxMs?: number;
  /** Where time comes from (tests pass a FakeClock). @defaultValue systemClock */
  clock?: Clock;
}

/** Refuses middleware options that would fail every request instead (checked once, when the middleware is made). */
export function checkMiddlewareOptions(options: DeadlineMiddlewareOptions): void {
  for (const [name, min] of [
    ['defaultMs', 0],
    ['maxMs', 1],
  ] as const) {
    const v: unknown = options[name];
    if (
      v !== undefined &&
      !(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= MAX_DEADLINE_MS)
    ) {
      throw new BallastError(
        'InvalidParameterValue',
        `${name} must be a whole number of ms from ${min} to ${MAX_DEADLINE_MS} (got ${typeof v === 'number' ? String(v) : typeof v})`,
      );
    }
  }
}

/** What a request's deadline header means: run under a deadline, run without one, or answer at once. */
export type Admission =
  { run: Deadline | undefined } | { status: 400 | 504; title: string; detail: string };

/** Decides a request from its `ballast-deadline-ms` header (shared by every adapter: node, Hono, Fastify). */
export function admit(
  header: string | string[] | undefined | null,
  options: DeadlineMiddlewareOptions,
): Admission {
  const clock = options.clock ?? systemClock;
  let deadline: Deadline | undefined;
  try {
    deadline = Deadline.fromHeader(header, clock);
  } catch (error) {
    return { status: 400, title: 'Invalid deadline', detail: (error as Error).message };
  }
  if (!deadline && options.defaultMs !== undefined)
    deadline = Deadline.after(options.defaultMs, clock);
  if (!deadline) return { run: undefined };
  const maxMs = options.maxMs ?? 60_000;
  // A fresh deadline, not a child: a child would start a timer on the uncapped one (up to 24 h).
  if (deadline.remaining() > maxMs) deadline = Deadline.after(maxMs, clock);
  if (deadline.expired)
    return {
      status: 504,
      title: 'Deadline exceeded',
      detail: 'The request arrived with no time left; it was not started.',
    };
  return { run: deadline };
}

/** The `application/problem+json` body of a refused request (400 or 504). */
export const problemBody = (a: { status: number; title: string; detail: string }): string =>
  JSON.stringify({ title: a.title, status: a.status, detail: a.detail });

/**
 * Connect-style middleware (Express, or plain `node:http` via `(req, res) => mw(req, res, handler)`):
 * reads the remaining budget from `ballast-deadline-ms`, answers 400 when it is malformed and 504
 * when it is already spent (the work is not started: a stale request is dropped), and otherwise
 * runs the handler with the deadline current — `req.deadline`, `currentDeadline()`, and
 * `fetchWithDeadline` for outgoing calls, which inherit what is left.
 */
export function deadlineMiddleware(options: DeadlineMiddlewareOptions = {}) {
  checkMiddlewareOptions(options);
  return (
    req: IncomingMessage & { deadline?: Deadline },
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void => {
    const a = admit(req.headers[DEADLINE_HEADER], options);
    if ('status' in a)
      return void res
        .writeHead(a.status, { 'content-type': 'application/problem+json' })
        .end(problemBody(a));
    const deadline = a.run;
    if (!deadline) return next();
    req.deadline = deadline;
    res.once('close', () => deadline.dispose());
    current.run(deadline, () => next());
  };
}

/** The same for Hono: `app.use(honoDeadline())`; the deadline is current for the rest of the chain. */
export function honoDeadline(options: DeadlineMiddlewareOptions = {}): MiddlewareHandler {
  checkMiddlewareOptions(options);
  return async (c, next) => {
    const a = admit(c.req.header(DEADLINE_HEADER), options);
    if ('status' in a)
      return new Response(problemBody(a), {
        status: a.status,
        headers: { 'content-type': 'application/problem+json' },
      });
    const deadline = a.run;
    if (!deadline) return next();
    try {
      await current.run(deadline, () => next());
    } finally {
      deadline.dispose();
    }
  };
}

/**
 * `fetch` under the current deadline (or `deadline`): sends the remaining budget in
 * `ballast-deadline-ms`, aborts when the deadline passes, and throws `DeadlineExceeded` without
 * calling when no time is left.
 */
export async function fetchWithDeadline(
  url: string | URL,
  init: RequestInit = {},
  deadline: Deadline | undefined = currentDeadline(),
): Promise<Response> {
  if (!deadline) return fetch(url, init);
  if (deadline.expired)
    throw new BallastError('DeadlineExceeded', 'no time left for this call; it was not made');
  const headers = new Headers(init.headers);
  headers.set(DEADLINE_HEADER, deadline.toHeader());
  const signal = init.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
  try {
    return await fetch(url, { ...init, headers, signal });
  } catch (error) {
    if (deadline.signal.aborted)
      throw isBallastError(deadline.signal.reason)
        ? deadline.signal.reason
        : new BallastError('DeadlineExceeded', 'the deadline passed during the call');
    throw error;
  }
}
