import { openBallast } from '../../ballast.js';
import { intFlag, parse, storeUrl, visibilityTimeoutFlag } from '../args.js';
import { UsageError } from '../exit.js';
import type { Output } from '../output.js';
import { table } from '../output.js';

export const QUEUES_USAGE = `ballast queues list [--prefix P]
ballast queues create NAME [--fifo] [--visibility-timeout S] [--dlq NAME --max-receive-count N]
ballast queues delete NAME
ballast queues purge NAME
ballast queues stats [NAME]
  (each takes --store URL and --json)`;

const ACTIONS = ['list', 'create', 'delete', 'purge', 'stats'];

/** `ballast queues …`: manage queues. */
export async function queuesCommand(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    prefix: { type: 'string' },
    fifo: { type: 'boolean' },
    'visibility-timeout': { type: 'string' },
    dlq: { type: 'string' },
    'max-receive-count': { type: 'string' },
  });
  const [action, name] = positionals;
  if (action === undefined) throw new UsageError('which action?', QUEUES_USAGE);
  if (!ACTIONS.includes(action)) throw new UsageError(`unknown action "${action}"`, QUEUES_USAGE);
  if (['create', 'delete', 'purge'].includes(action) && name === undefined)
    throw new UsageError(`ballast queues ${action} needs a queue name`, QUEUES_USAGE);
  // Checked above for the actions that need it.
  const queueName = name ?? '';
  // Flags are checked before the store is opened: bad input is exit 2 whatever the store.
  const dlq = values.dlq;
  const createOptions = {
    ...(values.fifo ? { fifo: true } : {}),
    ...visibilityTimeoutFlag(values['visibility-timeout']),
    ...(dlq
      ? {
          deadLetterQueue: {
            queue: dlq,
            maxReceiveCount: intFlag(values['max-receive-count'], 'max-receive-count', 10, 1, 1000),
          },
        }
      : {}),
  };
  const b = await openBallast({ store: storeUrl(values.store), retentionSweepMs: 0, bus: false });
  try {
    switch (action) {
      case 'list': {
        const { names } = await b.queues.list({ prefix: values.prefix ?? '' });
        if (values.json) io.out(JSON.stringify(names));
        else for (const n of names) io.out(n);
        return 0;
      }
      case 'create': {
        await b.queues.create(queueName, createOptions);
        io.out(`created ${name}`);
        return 0;
      }
      case 'delete':
        await b.queues.delete(queueName);
        io.out(`deleted ${name}`);
        return 0;
      case 'purge':
        await (await b.queues.get(queueName)).purge();
        io.out(`purged ${name}`);
        return 0;
      case 'stats': {
        const names = name ? [name] : (await b.queues.list()).names;
        const rows = [];
        for (const n of names) rows.push({ queue: n, ...(await (await b.queues.get(n)).depth()) });
        if (values.json) io.out(JSON.stringify(rows));
        else
          io.out(
            table([
              ['QUEUE', 'VISIBLE', 'DELAYED', 'IN FLIGHT', 'OLDEST AGE (s)'],
              ...rows.map((r) => [r.queue, r.visible, r.delayed, r.inFlight, r.oldestAgeSeconds]),
            ]),
          );
        return 0;
      }
      default:
        return 2; // unreachable: the action was checked above
    }
  } finally {
    await b.close();
  }
}
