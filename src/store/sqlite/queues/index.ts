import { QUEUE_OPERATIONS, type QueueStore } from '../../contract.js';
import { bindOperations, type Guard } from '../../shared/bind.js';
import type { SqliteContext } from '../core/context.js';
import { connectionOf } from '../core/transaction.js';
import * as handles from './handles.js';
import * as move from './move.js';
import * as receive from './receive.js';
import * as records from './records.js';
import * as send from './send.js';
import * as stats from './stats.js';

/**
 * The SQLite queue store, composed of its operation modules. `guard` turns every call into a
 * promise that rejects once the store is closed; `guardSync` does the same for the one
 * synchronous calls (sends inside the caller's or the store's own transaction), throwing instead.
 */
export function sqliteQueueStore(
  ctx: SqliteContext,
  guard: Guard,
  guardSync: <T>(fn: () => T) => T,
): QueueStore {
  const operations = { ...records, ...send, ...receive, ...handles, ...stats, ...move };
  return {
    ...bindOperations(ctx, guard, operations, QUEUE_OPERATIONS),
    sendWithinSync: (queueId, messages, options) =>
      guardSync(() => send.sendWithinSync(ctx, queueId, messages, options)),
    sendInTransaction: (tx, queueId, messages, options) =>
      guardSync(() =>
        send.sendWithinSync(ctx, queueId, messages, { ...options, transaction: connectionOf(tx) }),
      ),
    onWake: (queueId, listener) => ctx.wake.on(queueId, listener),
  };
}
