import type { BusEventMap, BusEvents } from '../bus/events.js';
import { isBallastError } from '../core/errors.js';
import type { QueueEventMap, QueueEvents } from '../queue/events.js';
import type { WireError } from './protocols/aws/errors.js';
import type { ServerLogger } from './options.js';

/** Typed `on` for an emitter whose event map is `M`; every listener it adds is removed by the returned `off`. */
function listeners<M extends { [K in keyof M]: unknown[] }>(
  events: object,
): {
  on: <K extends keyof M & string>(event: K, listener: (...args: M[K]) => void) => void;
  off: () => void;
} {
  const emitter = events as NodeJS.EventEmitter;
  const offs: (() => void)[] = [];
  return {
    on: (event, listener) => {
      const l = listener as (...args: unknown[]) => void;
      emitter.on(event, l);
      offs.push(() => emitter.off(event, l));
    },
    off: () => {
      for (const off of offs.splice(0)) off();
    },
  };
}

/**
 * Wires the library's typed queue events to the logger (the library itself never logs).
 * Message traffic goes to `debug` when the logger has it; consumer trouble to `warn`/`error`.
 * Returns the function that removes every listener.
 */
export function wireQueueEventLogs(events: QueueEvents, logger: ServerLogger): () => void {
  const { on, off } = listeners<QueueEventMap>(events);
  if (logger.debug) {
    const debug = logger.debug.bind(logger);
    on('message:sent', (e) => debug({ event: 'message:sent', ...e }, 'message:sent'));
    on('message:received', (e) => debug({ event: 'message:received', ...e }, 'message:received'));
    on('message:deleted', (e) => debug({ event: 'message:deleted', ...e }, 'message:deleted'));
  }
  on('handler:failed', (e) =>
    logger.warn({ event: 'handler:failed', ...e }, 'message handler failed'),
  );
  on('consumer:error', (e) =>
    logger.error({ event: 'consumer:error', ...e }, 'consumer store error'),
  );
  return off;
}

/** The stable code of an error for logs: a BallastError's code, else the error's name. */
const codeOf = (error: unknown): string =>
  isBallastError(error) ? error.code : error instanceof Error ? error.name : 'Unknown';

/**
 * Wires the bus's typed events to the logger: every dispatch or delivery failure is logged with
 * its error code (parked events and background store errors as errors, failed attempts as
 * warnings); successes go to `debug`. Returns the function that removes every listener.
 */
export function wireBusEventLogs(events: BusEvents, logger: ServerLogger): () => void {
  const { on, off } = listeners<BusEventMap>(events);
  on('dispatch:parked', (e) =>
    logger.error({ event: 'dispatch:parked', ...e }, 'event parked: it could not be dispatched'),
  );
  on('bus:error', (e) =>
    logger.error(
      { event: 'bus:error', code: codeOf(e.error), err: e.error },
      'event bus background work failed; retrying',
    ),
  );
  on('delivery:failed', (e) =>
    logger.warn({ event: 'delivery:failed', code: e.error, ...e }, 'delivery attempt failed'),
  );
  on('delivery:dropped', (e) =>
    logger.error(
      { event: 'delivery:dropped', ...e },
      e.deadLettered
        ? 'delivery failed for good: sent to its dead-letter queue'
        : 'delivery failed for good',
    ),
  );
  if (logger.debug) {
    const debug = logger.debug.bind(logger);
    on('dispatch:done', (e) => debug({ event: 'dispatch:done', ...e }, 'dispatch:done'));
    on('delivery:done', (e) => debug({ event: 'delivery:done', ...e }, 'delivery:done'));
  }
  return off;
}

/** What `logRequest` knows of one answered request. */
export interface RequestLogFields {
  requestId: string;
  operation: string;
  /** The queue or bus the request named, when it named one. */
  resource: string | undefined;
  status: number;
  /** Time to answer, ms. */
  ms: number;
  failure: { wire: WireError; error: unknown } | undefined;
}

/**
 * Logs one answered request: a line at `debug` for every request (operation, queue or bus,
 * status, ms, request id); a refused one also at `info` (4xx; a slow client cut with 408 stays at
 * debug), `warn` (the store is unavailable) or `error` (an unexpected 5xx, with the cause).
 */
export function logRequest(logger: ServerLogger, r: RequestLogFields): void {
  const { requestId, operation, resource, status, failure } = r;
  const ms = Math.round(r.ms * 10) / 10;
  const fields = { requestId, operation, ...(resource !== undefined ? { resource } : {}) };
  if (failure) logRequestError(logger, fields, failure);
  logger.debug?.(
    { ...fields, status, ms, ...(failure ? { code: failure.wire.code } : {}) },
    'request',
  );
}

/** Logs one failed request: server faults as errors with the cause, client faults at info. */
function logRequestError(
  logger: ServerLogger,
  fields: { requestId: string; operation: string },
  failure: { wire: WireError; error: unknown },
): void {
  const { wire, error } = failure;
  // The original error decides: each protocol names the outage its own way on the wire
  // (EventBridge: ServiceUnavailableException).
  if (codeOf(error) === 'StoreUnavailable') {
    // The outage itself is logged once, at error, when it starts (store-watch): each refused
    // request is a warning with its code, without a stack trace per request.
    logger.warn(
      { ...fields, code: wire.code, status: wire.shape.status, message: wire.message },
      'request failed: store unavailable',
    );
  } else if (wire.unexpected) {
    logger.error(
      { ...fields, code: wire.code, status: wire.shape.status, err: error },
      'request failed',
    );
  } else {
    const line = { ...fields, code: wire.code, status: wire.shape.status, message: wire.message };
    // A client too slow to send its request is cut at the transport: such cuts come in floods
    // when someone holds connections open on purpose, so they stay at debug (metrics count them).
    if (wire.code === 'RequestTimeout') logger.debug?.(line, 'request rejected');
    else logger.info(line, 'request rejected');
  }
}
