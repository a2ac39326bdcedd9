import { QUEUE_OPERATIONS, type QueueStore } from '../../contract.js';
import { bindOperations, type Guard } from '../../shared/bind.js';
import type { PgContext } from '../core/context.js';
import { clientOf } from '../core/transaction.js';
import * as handles from './handles.js';
import * as move from './move.js';
import * as receive from './receive.js';
import * as records from './records.js';
import * as send from './send.js';
import * as stats from './stats.js';

/** The PostgreSQL queue store, composed of its operation modules; `guard` turns every call into a promise that rejects once the store is closed. */
export function postgresQueueStore(ctx: PgContext, guard: Guard): QueueStore {
  const operations = { ...records, ...send, ...receive, ...handles, ...stats, ...move };
  return {
    ...bindOperations(ctx, guard, operations, QUEUE_OPERATIONS),
    sendInTransaction: (tx, queueId, messages, options) =>
      guard(() => send.send(ctx, queueId, messages, { ...options, transaction: clientOf(tx) })),
    onWake: (queueId, listener) => ctx.wake.on(queueId, listener),
  };
}
