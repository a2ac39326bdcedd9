import { openBallast } from '../../ballast.js';
import { intFlag, parse, storeUrl, visibilityTimeoutFlag } from '../args.js';
import { UsageError } from '../exit.js';
import type { Output } from '../output.js';

export const SEND_USAGE =
  'ballast send QUEUE BODY [--group G] [--dedup-id D] [--delay S] [--store URL]';
export const RECEIVE_USAGE =
  'ballast receive QUEUE [--max N] [--wait S] [--visibility-timeout S] [--keep] [--json] [--store URL]  (deletes what it prints unless --keep)';

/** `ballast send QUEUE BODY`: sends one message and prints its id. */
export async function sendCommand(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    group: { type: 'string' },
    'dedup-id': { type: 'string' },
    delay: { type: 'string' },
  });
  const [queue, body] = positionals;
  if (queue === undefined || body === undefined)
    throw new UsageError('send needs a QUEUE and a BODY', SEND_USAGE);
  // Flags are checked before the store is opened: bad input is exit 2 whatever the store.
  const options = {
    ...(values.group !== undefined ? { groupId: values.group } : {}),
    ...(values['dedup-id'] !== undefined ? { deduplicationId: values['dedup-id'] } : {}),
    ...(values.delay !== undefined
      ? { delaySeconds: intFlag(values.delay, 'delay', 0, 0, 900) }
      : {}),
  };
  const b = await openBallast({ store: storeUrl(values.store), retentionSweepMs: 0, bus: false });
  try {
    const q = await b.queues.get(queue);
    const r = await q.send(body, options);
    io.out(values.json ? JSON.stringify(r) : r.messageId);
    return 0;
  } finally {
    await b.close();
  }
}

/** `ballast receive QUEUE`: receives (long-polls) and prints messages, deleting them unless --keep. */
export async function receiveCommand(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    max: { type: 'string' },
    wait: { type: 'string' },
    'visibility-timeout': { type: 'string' },
    keep: { type: 'boolean' },
  });
  const [queue] = positionals;
  if (queue === undefined) throw new UsageError('receive needs a QUEUE', RECEIVE_USAGE);
  const options = {
    maxMessages: intFlag(values.max, 'max', 1, 1, 10),
    waitTimeSeconds: intFlag(values.wait, 'wait', 0, 0, 20),
    ...visibilityTimeoutFlag(values['visibility-timeout']),
  };
  const b = await openBallast({ store: storeUrl(values.store), retentionSweepMs: 0, bus: false });
  try {
    const q = await b.queues.get(queue);
    const messages = await q.receive(options);
    for (const m of messages) {
      io.out(values.json ? JSON.stringify(m) : `${m.messageId}\t${m.body}`);
      if (!values.keep) await q.delete(m.receiptHandle);
    }
    if (messages.length === 0 && !values.json) io.err('(no messages)');
    return 0;
  } finally {
    await b.close();
  }
}
