import type { SqsOperation } from '../context.js';
import { MESSAGE_OPERATIONS } from './messages.js';
import { MOVE_TASK_OPERATIONS } from './move-tasks.js';
import { QUEUE_OPERATIONS } from './queues.js';
import { RECEIVE_OPERATIONS } from './receive.js';

/** Every SQS operation the server speaks, by `X-Amz-Target` suffix (all 23 of the API). */
export const SQS_OPERATIONS: ReadonlyMap<string, SqsOperation> = new Map(
  Object.entries({
    ...QUEUE_OPERATIONS,
    ...MESSAGE_OPERATIONS,
    ...RECEIVE_OPERATIONS,
    ...MOVE_TASK_OPERATIONS,
  }),
);
