import { openBallast } from '../../ballast.js';
import { intFlag, parse, storeUrl } from '../args.js';
import { UsageError } from '../exit.js';
import type { Output } from '../output.js';
import { withProgress } from '../progress.js';

export const REDRIVE_USAGE =
  "ballast redrive DLQ [--to QUEUE] [--rate N] [--store URL]  (default: back to each message's source)";

/** `ballast redrive DLQ`: moves dead-lettered messages back, showing progress. */
export async function redriveCommand(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parse(args, { to: { type: 'string' }, rate: { type: 'string' } });
  const [dlq] = positionals;
  if (dlq === undefined) throw new UsageError('redrive needs a DLQ', REDRIVE_USAGE);
  const b = await openBallast({ store: storeUrl(values.store), retentionSweepMs: 0, bus: false });
  try {
    const source = await b.queues.get(dlq);
    const destination = values.to === undefined ? undefined : (await b.queues.get(values.to)).arn;
    const handle = await b.queues.moveTasks.start({
      sourceArn: source.arn,
      ...(destination ? { destinationArn: destination } : {}),
      ...(values.rate !== undefined
        ? { maxNumberOfMessagesPerSecond: intFlag(values.rate, 'rate', 500, 1, 500) }
        : {}),
    });
    const task = await withProgress(
      io,
      b.queues.moveTasks.wait(handle),
      async () => {
        const [now] = await b.queues.moveTasks.list(source.arn, 1);
        return now && { done: now.moved, total: now.toMove };
      },
      (t) => ({
        done: t?.moved ?? 0,
        total: t?.status === 'COMPLETED' ? (t.moved ?? 0) : (t?.toMove ?? 0),
      }),
    );
    io.out(
      `${task?.status ?? 'UNKNOWN'}: moved ${task?.moved ?? 0} of ${task?.toMove ?? 0}${task?.failureReason ? ` (${task.failureReason})` : ''}`,
    );
    return task?.status === 'COMPLETED' ? 0 : 1;
  } finally {
    await b.close();
  }
}
