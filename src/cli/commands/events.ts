import { readFileSync } from 'node:fs';
import { type Ballast, openBallast } from '../../ballast.js';
import { BallastError } from '../../core/errors.js';
import { explainEventPattern, testEventPattern } from '../../patterns/index.js';
import { intFlag, parse, storeUrl } from '../args.js';
import { type Output, progressBar, table } from '../output.js';

export const EVENTS_USAGE = `ballast events put --source S --detail-type T --detail JSON [--bus B] [--resources a,b]
ballast events rules [--bus B] [--prefix P]
ballast events targets RULE [--bus B]
ballast events test-pattern PATTERN EVENT         (JSON text, or @file)
ballast events explain (PATTERN | --rule NAME [--bus B]) EVENT
ballast events trace EVENT_ID
ballast events archive list | create NAME [--bus B] [--pattern JSON] [--retention-days N] | delete NAME
ballast events replay ARCHIVE --from TIME --to TIME [--name N] [--rules r1,r2]   (progress bar; TIME is ISO 8601 or epoch ms)
  every events command takes --store URL and --json`;

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

/** JSON text from an argument: the text itself, or `@path` for a file's contents. */
function jsonArg(value: string | undefined, what: string): unknown {
  if (value === undefined)
    throw new BallastError('MissingParameter', `${what} is required\n${EVENTS_USAGE}`);
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text);
  } catch {
    throw new BallastError('InvalidParameterValue', `${what} is not valid JSON`);
  }
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
  const { values, positionals } = parse(rest, FLAGS);
  if (sub === undefined || values.help) return (io.out(EVENTS_USAGE), sub === undefined ? 2 : 0);
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
      jsonArg(positionals[1], 'EVENT'),
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
      const e = explainEventPattern(rule.eventPattern, jsonArg(positionals[0], 'EVENT'));
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
          `event ${trace.event.eventId} on bus ${trace.event.busId}, ${trace.dispatched ? 'dispatched' : 'waiting for dispatch'}, ${trace.deliveries.length} deliveries`,
          table([
            ['RULE', 'TARGET', 'STATE', 'ATTEMPTS', 'LAST ERROR'],
            ...trace.deliveries.map((d) => {
              const last = d.history.at(-1);
              return [
                d.ruleId,
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
      if (name === undefined)
        throw new BallastError('MissingParameter', `archive ${action} needs a NAME`);
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
      throw new BallastError(
        'InvalidParameterValue',
        `unknown archive action ${action}\n${EVENTS_USAGE}`,
      );
    }
    case 'replay':
      return replay(b, positionals[0], values, io, print);
    default:
      throw new BallastError(
        'InvalidParameterValue',
        `unknown events command ${sub}\n${EVENTS_USAGE}`,
      );
  }
}

async function replay(
  b: Ballast,
  archive: string | undefined,
  values: ReturnType<typeof parse<typeof FLAGS>>['values'],
  io: Output,
  print: (value: unknown, text: () => string) => void,
): Promise<number> {
  if (archive === undefined)
    throw new BallastError('MissingParameter', `replay needs an ARCHIVE\n${EVENTS_USAGE}`);
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
  // The bar's total: the archive's events in the window are at most its event count.
  const done = b.bus.replays.wait(name);
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    const r = await b.bus.replays.describe(name);
    if (io.tty) process.stderr.write(`\r${progressBar(r.replayedEvents, a.eventCount)}`);
    await Promise.race([done, new Promise((res) => setTimeout(res, 250))]);
  }
  const r = await done;
  if (io.tty) process.stderr.write('\n');
  print(
    r,
    () =>
      `${r.state}: replayed ${r.replayedEvents} events${r.stateReason ? ` (${r.stateReason})` : ''}`,
  );
  return r.state === 'COMPLETED' ? 0 : 1;
}
