import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Clock, systemClock } from '../core/clock.js';
import { BallastError, isBallastError } from '../core/errors.js';
import { Deadline, DEADLINE_HEADER } from './deadline.js';

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
  clock?: Clock;
}

const problem = (res: ServerResponse, status: number, title: string, detail: string): void =>
  void res.writeHead(status, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ title, status, detail }));

/**
 * Connect-style middleware (Express, or plain `node:http` via `(req, res) => mw(req, res, handler)`):
 * reads the remaining budget from `ballast-deadline-ms`, answers 400 when it is malformed and 504
 * when it is already spent (the work is not started: a stale request is dropped), and otherwise
 * runs the handler with the deadline current — `req.deadline`, `currentDeadline()`, and
 * `fetchWithDeadline` for outgoing calls, which inherit what is left.
 */
export function deadlineMiddleware(options: DeadlineMiddlewareOptions = {}) {
  const clock = options.clock ?? systemClock;
  const maxMs = options.maxMs ?? 60_000;
  return (req: IncomingMessage & { deadline?: Deadline }, res: ServerResponse, next: (error?: unknown) => void): void => {
    let deadline: Deadline | undefined;
    try {
      deadline = Deadline.fromHeader(req.headers[DEADLINE_HEADER], clock);
    } catch (error) {
      return problem(res, 400, 'Invalid deadline', (error as Error).message);
    }
    if (!deadline && options.defaultMs !== undefined) deadline = Deadline.after(options.defaultMs, clock);
    if (!deadline) return next();
    if (deadline.remaining() > maxMs) deadline = deadline.child(maxMs);
    if (deadline.expired) return problem(res, 504, 'Deadline exceeded', 'The request arrived with no time left; it was not started.');
    req.deadline = deadline;
    const done = deadline;
    res.once('close', () => done.dispose());
    current.run(deadline, () => next());
  };
}

/**
 * `fetch` under the current deadline (or `deadline`): sends the remaining budget in
 * `ballast-deadline-ms`, aborts when the deadline passes, and throws `DeadlineExceeded` without
 * calling when no time is left.
 */
export async function fetchWithDeadline(url: string | URL, init: RequestInit = {}, deadline: Deadline | undefined = currentDeadline()): Promise<Response> {
  if (!deadline) return fetch(url, init);
  if (deadline.expired) throw new BallastError('DeadlineExceeded', 'no time left for this call; it was not made');
  const headers = new Headers(init.headers);
  headers.set(DEADLINE_HEADER, deadline.toHeader());
  const signal = init.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
  try {
    return await fetch(url, { ...init, headers, signal });
  } catch (error) {
    if (deadline.signal.aborted) throw isBallastError(deadline.signal.reason) ? deadline.signal.reason : new BallastError('DeadlineExceeded', 'the deadline passed during the call');
    throw error;
  }
}
