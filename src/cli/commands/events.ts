import { readFileSync } from 'node:fs';
import { type Ballast, openBallast } from '../../ballast.js';
import { completeEnvelope } from '../../bus/envelope.js';
import { BallastError } from '../../core/errors.js';
import { explainEventPattern, testEventPattern } from '../../patterns/index.js';
import { intFlag, parse, storeUrl } from '../args.js';
import { unreadableFile, UsageError } from '../exit.js';
import { type Output, table } from '../output.js';
import { withProgress } from '../progress.js';

export const EVENTS_USAGE = `ballast events put --source S --detail-type T --detail JSON [--bus B] [--resources a,b]
ballast events rules [--bus B] [--prefix P]
ballast events targets RULE [--bus B]
ballast events test-pattern PATTERN EVENT         (JSON text, or @file)
ballast events explain (PATTERN | --rule NAME [--bus B]) EVENT   (id, account, time, region filled in when absent)
ballast events trace EVENT_ID
ballast events archive list | create NAME [--bus B] [--pattern JSON] [--retention-days N] | delete NAME
ballast events replay ARCHIVE --from TIME --to TIME [--name N] [--rules r1,r2]   (progress bar; TIME is ISO 8601 or epoch ms)
  every events command takes --store URL and --json (test-pattern and explain PATTERN need no store)`;

const SUBCOMMANDS = [
  'put',
  'rules',
  'targets',
  'test-pattern',
  'explain',
  'trace',
  'archive',
  'replay',
];

/** The defaults `explain` fills into an event without a store (the server's defaults). */
const DEFAULT_SCOPE = { region: 'us-east-1', accountId: '000000000000' };

const FLAGS = {
  source: { type: 'string' },
  'detail-type': { type: 'string' },
  detail: { type: 'string' },
  bus: { type: 'string' },
  resources: { type: 'string' },
  prefix: { type: 'string' },
  rule: { type: 'string' },
  pattern: { type: 'string' },
  'retention-days': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  name: { type: 'string' },
  rules: { type: 'string' },
} as const;

function readArgFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw unreadableFile(what, path, error);
  }
}

/** JSON text from an argument: the text itself, or `@path` for a file's contents. */
function jsonArg(value: string | undefined, what: string): unknown {
  if (value === undefined) throw new UsageError(`${what} is required`, EVENTS_USAGE);
  const text = value.startsWith('@') ? readArgFile(value.slice(1), what) : value;
  try {
    return JSON.parse(text);
  } catch {
    throw new BallastError('InvalidParameterValue', `${what} is not valid JSON`);
  }
}

/** The EVENT argument as the bus would deliver it (envelope fields filled in when absent). */
function eventArg(
  value: string | undefined,
  ctx: { region: string; accountId: string; now: number },
): unknown {
  const event = jsonArg(value, 'EVENT');
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw new BallastError('ValidationException', 'EVENT must be a JSON object');
  return completeEnvelope(event as Record<string, unknown>, ctx);
}

function timeArg(value: string | undefined, name: string): number {
  if (value === undefined) throw new BallastError('MissingParameter', `--${name} is required`);
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new BallastError(
      'InvalidParameterValue',
      `--${name} must be ISO 8601 or epoch ms, got ${value}`,
    );
  return ms;
}

/** `ballast events …`: publish, inspect rules and targets, test and explain patterns, trace events, archives and replays. */
export async function eventsCommand(args: string[], io: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) throw new UsageError('which events command?', EVENTS_USAGE);
  if (!SUBCOMMANDS.includes(sub))
    throw new UsageError(`unknown events command "${sub}"`, EVENTS_USAGE);
  const { values, positionals } = parse(rest, FLAGS);
  if ((sub === 'trace' || sub === 'targets') && positionals[0] === undefined)
    throw new UsageError(
      `events ${sub} needs ${sub === 'trace' ? 'an EVENT_ID' : 'a RULE'}`,
      EVENTS_USAGE,
    );
  const print = (value: unknown, text: () => string): void =>
    io.out(values.json ? JSON.stringify(value, null, 2) : text());
  // Pure commands need no store.
  if (sub === 'test-pattern') {
    const matches = testEventPattern(
      jsonArg(positionals[0], 'PATTERN') as object,
      jsonArg(positionals[1], 'EVENT'),
    );
    print({ matches }, () => (matches ? 'match' : 'no match'));
    return matches ? 0 : 1;
  }
  if (sub === 'explain' && values.rule === undefined) {
    const e = explainEventPattern(
      jsonArg(positionals[0], 'PATTERN') as object,
      eventArg(positionals[1], { ...DEFAULT_SCOPE, now: Date.now() }),
    );
    print(e, () =>
      [e.matches ? 'match' : 'no match', ...e.reasons.map((r) => `  ${r}`)].join('\n'),
    );
    return e.matches ? 0 : 1;
  }
  const b = await openBallast({ store: storeUrl(values.store), retentionSweepMs: 0, bus: false });
  try {
    return await run(b, sub, values, positionals, io, print);
  } finally {
    await b.close();
  }
}

async function run(
  b: Ballast,
  sub: string,
  values: ReturnType<typeof parse<typeof FLAGS>>['values'],
  positionals: string[],
  io: Output,
  print: (value: unknown, text: () => string) => void,
): Promise<number> {
  const onBus = values.bus === undefined ? {} : { eventBusName: values.bus };
  switch (sub) {
    case 'put': {
      const detail = jsonArg(values.detail ?? '{}', '--detail');
      const r = await b.bus.putEvents([
        {
          source: values.source,
          detailType: values['detail-type'],
          detail: JSON.stringify(detail),
          ...(values.resources ? { resources: values.resources.split(',') } : {}),
          ...onBus,
        },
      ]);
      const [entry] = r.entries;
      print(r, () =>
        entry && 'eventId' in entry ? entry.eventId : `${entry?.errorCode}: ${entry?.errorMessage}`,
      );
      return r.failedEntryCount === 0 ? 0 : 1;
    }
    case 'rules': {
      const { rules } = await b.bus.listRules({
        ...onBus,
        ...(values.prefix ? { namePrefix: values.prefix } : {}),
      });
      print(rules, () =>
        table([
          ['NAME', 'STATE', 'PATTERN / SCHEDULE'],
          ...rules.map((r) => [r.name, r.state, r.eventPattern ?? r.scheduleExpression ?? '']),
        ]),
      );
      return 0;
    }
    case 'targets': {
      const rule = positionals[0] ?? '';
      const { targets } = await b.bus.listTargetsByRule(rule, onBus);
      print(targets, () => table([['ID', 'ARN'], ...targets.map((t) => [t.id, t.arn])]));
      return 0;
    }
    case 'explain': {
      const rule = await b.bus.describeRule(values.rule!, onBus);
      if (rule.eventPattern === undefined)
        throw new BallastError('InvalidParameterValue', `rule ${rule.name} has no event pattern`);
      const event = eventArg(positionals[0], {
        region: b.region,
        accountId: b.accountId,
        now: b.clock.now(),
      });
      const e = explainEventPattern(rule.eventPattern, event);
      print(e, () =>
        [
          `${rule.name}: ${e.matches ? 'match' : 'no match'}`,
          ...e.reasons.map((r) => `  ${r}`),
        ].join('\n'),
      );
      return e.matches ? 0 : 1;
    }
    case 'trace': {
      const trace = await b.bus.trace(positionals[0] ?? '');
      if (!trace)
        throw new BallastError(
          'ResourceNotFoundException',
          `no stored event ${positionals[0] ?? ''} (unknown, or past the trace retention)`,
        );
      print(trace, () =>
        [
          `event ${trace.event.eventId} on bus ${trace.busName}, ${trace.dispatched ? 'dispatched' : 'waiting for dispatch'}, ${trace.deliveries.length} deliveries`,
          table([
            ['RULE', 'TARGET', 'STATE', 'ATTEMPTS', 'LAST ERROR'],
            ...trace.deliveries.map((d) => {
              const last = d.history.at(-1);
              return [
                d.ruleName,
                d.targetId,
                d.state,
                d.attempts,
                last && !last.ok ? `${last.error}: ${last.message}` : '',
              ];
            }),
          ]),
        ].join('\n'),
      );
      return 0;
    }
    case 'archive': {
      const [action, name] = positionals;
      if (action === 'list' || action === undefined) {
        const { archives } = await b.bus.archives.list();
        print(archives, () =>
          table([
            ['NAME', 'EVENTS', 'BYTES', 'RETENTION DAYS', 'PATTERN'],
            ...archives.map((a) => [
              a.archiveName,
              a.eventCount,
              a.sizeBytes,
              a.retentionDays,
              a.eventPattern ?? '(all)',
            ]),
          ]),
        );
        return 0;
      }
      if (name === undefined) throw new UsageError(`archive ${action} needs a NAME`, EVENTS_USAGE);
      if (action === 'create') {
        const r = await b.bus.archives.create(name, b.bus.busArn(values.bus ?? 'default'), {
          ...(values.pattern
            ? { eventPattern: JSON.stringify(jsonArg(values.pattern, '--pattern')) }
            : {}),
          retentionDays: intFlag(values['retention-days'], 'retention-days', 0, 0, 36_500),
        });
        print(r, () => r.archiveArn);
        return 0;
      }
      if (action === 'delete') {
        await b.bus.archives.delete(name);
        return 0;
      }
      throw new UsageError(`unknown archive action "${action}"`, EVENTS_USAGE);
    }
    case 'replay':
      return replay(b, positionals[0], values, io, print);
    default:
      throw new UsageError(`unknown events command "${sub}"`, EVENTS_USAGE);
  }
}

async function replay(
  b: Ballast,
  archive: string | undefined,
  values: ReturnType<typeof parse<typeof FLAGS>>['values'],
  io: Output,
  print: (value: unknown, text: () => string) => void,
): Promise<number> {
  if (archive === undefined) throw new UsageError('replay needs an ARCHIVE', EVENTS_USAGE);
  const a = await b.bus.archives.describe(archive);
  const from = timeArg(values.from, 'from');
  const to = timeArg(values.to, 'to');
  const name = values.name ?? `${archive}-${Date.now()}`.slice(0, 64);
  const busName = a.eventSourceArn.split('event-bus/')[1] ?? 'default';
  await b.bus.replays.start({
    replayName: name,
    eventSourceArn: a.archiveArn,
    eventStartTime: from,
    eventEndTime: to,
    destination: {
      arn: a.eventSourceArn,
      ...(values.rules
        ? { filterArns: values.rules.split(',').map((r) => b.bus.ruleArn(r, busName)) }
        : {}),
    },
  });
  // The bar's total: the archive's events in the window are at most its event count; a replay
  // that completed replayed all of them, whatever the count said.
  const r = await withProgress(
    io,
    b.bus.replays.wait(name),
    async () => ({
      done: (await b.bus.replays.describe(name)).replayedEvents,
      total: a.eventCount,
    }),
    (last) => ({
      done: last.replayedEvents,
      total: last.state === 'COMPLETED' ? last.replayedEvents : a.eventCount,
    }),
  );
  print(
    r,
    () =>
      `${r.state}: replayed ${r.replayedEvents} events${r.stateReason ? ` (${r.stateReason})` : ''}`,
  );
  return r.state === 'COMPLETED' ? 0 : 1;
}
