import { openBallast } from '../../ballast.js';
import { BallastError } from '../../core/errors.js';
import { intFlag, parse, storeUrl } from '../args.js';
import { type Output, progressBar } from '../output.js';

export const REDRIVE_USAGE =
  "ballast redrive DLQ [--to QUEUE] [--rate N] [--store URL]  (default: back to each message's source)";

/** `ballast redrive DLQ`: moves dead-lettered messages back, showing progress. */
export async function redriveCommand(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parse(args, { to: { type: 'string' }, rate: { type: 'string' } });
  const [dlq] = positionals;
  if (values.help) return (io.out(REDRIVE_USAGE), 0);
  if (dlq === undefined) throw new BallastError('MissingParameter', `usage: ${REDRIVE_USAGE}`);
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
    const done = b.queues.moveTasks.wait(handle);
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      const [task] = await b.queues.moveTasks.list(source.arn, 1);
      if (task && io.tty) process.stderr.write(`\r${progressBar(task.moved, task.toMove)}`);
      await Promise.race([done, new Promise((r) => setTimeout(r, 250))]);
    }
    const task = await done;
    if (io.tty) process.stderr.write('\n');
    io.out(
      `${task?.status ?? 'UNKNOWN'}: moved ${task?.moved ?? 0} of ${task?.toMove ?? 0}${task?.failureReason ? ` (${task.failureReason})` : ''}`,
    );
    return task?.status === 'COMPLETED' ? 0 : 1;
  } finally {
    await b.close();
  }
}
