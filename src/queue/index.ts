/** `ballast/queue`: durable queues with SQS semantics. */
export { Queue } from './queue.js';
export { Queues, type QueueNaming } from './queues.js';
export { Outbox } from './outbox.js';
export { type QueuePermission, MAX_PERMISSION_ACTIONS } from './permissions.js';
export {
  Consumer,
  type ConsumeOptions,
  type HandlerContext,
  type MessageHandler,
} from './consumer.js';
export { MoveTasks, type MoveTask, type StartMoveTaskOptions } from './move-tasks.js';
export { QueueEvents, type QueueEventMap } from './events.js';
export {
  DEFAULT_QUEUE_SETTINGS,
  type QueueSettings,
  type RedrivePolicy,
  type RedriveAllowPolicy,
} from './settings.js';
export type * from './types.js';
