import type { MoveTask } from '../../../../queue/move-tasks.js';
import { compact } from '../../aws/output.js';
import type { SqsOperation } from '../context.js';
import { optInt, optString, reqString } from '../../aws/input.js';

/** Dead-letter redrive: StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask. */

const startMessageMoveTask: SqsOperation = async (input, ctx) => {
  const sourceArn = reqString(input, 'SourceArn');
  const destinationArn = optString(input, 'DestinationArn');
  const maxNumberOfMessagesPerSecond = optInt(input, 'MaxNumberOfMessagesPerSecond');
  const handle = await ctx.ballast.queues.moveTasks.start(
    compact({ sourceArn, destinationArn, maxNumberOfMessagesPerSecond }),
  );
  return { TaskHandle: handle };
};

/** One task in the `ListMessageMoveTasksResultEntry` shape; the handle is shown only while it runs. */
function taskToWire(t: MoveTask) {
  return compact({
    TaskHandle: t.status === 'RUNNING' ? t.handle : undefined,
    Status: t.status,
    SourceArn: t.sourceArn,
    DestinationArn: t.destinationArn ?? undefined,
    MaxNumberOfMessagesPerSecond: t.maxPerSecond ?? undefined,
    ApproximateNumberOfMessagesMoved: t.moved,
    ApproximateNumberOfMessagesToMove: t.toMove,
    FailureReason: t.failureReason ?? undefined,
    StartedTimestamp: t.startedAt,
  });
}

const listMessageMoveTasks: SqsOperation = async (input, ctx) => {
  const sourceArn = reqString(input, 'SourceArn');
  const maxResults = optInt(input, 'MaxResults');
  const tasks = await ctx.ballast.queues.moveTasks.list(sourceArn, maxResults);
  return { Results: tasks.map(taskToWire) };
};

const cancelMessageMoveTask: SqsOperation = async (input, ctx) => {
  const moved = await ctx.ballast.queues.moveTasks.cancel(reqString(input, 'TaskHandle'));
  return { ApproximateNumberOfMessagesMoved: moved };
};

/** Operations of this group by name. */
export const MOVE_TASK_OPERATIONS: Readonly<Record<string, SqsOperation>> = {
  StartMessageMoveTask: startMessageMoveTask,
  ListMessageMoveTasks: listMessageMoveTasks,
  CancelMessageMoveTask: cancelMessageMoveTask,
};
