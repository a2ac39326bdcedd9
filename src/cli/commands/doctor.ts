import { BallastError, isBallastError } from '../../core/errors.js';
import {
  analyse,
  atLeast,
  DOCTOR_RULES,
  EMPTY_TOPOLOGY,
  formatFindings,
  mergeLive,
  readServerTopology,
  readTopology,
  RISKS,
  summarise,
  TopologyError,
  type LiveTopology,
  type Risk,
  type Topology,
} from '../../doctor/index.js';
import { parse } from '../args.js';
import { UsageError } from '../exit.js';
import { type Output, table } from '../output.js';

/** Usage text of `ballast doctor`. */
export const DOCTOR_USAGE = `ballast doctor [FILE] [--server URL] [--json] [--fail-on high|medium|low|never] [--rules]
  Checks a topology file (JSON, see docs/doctor.md) and/or a running ballast serve (its queues, rules
  and targets) for the REL04 anti-patterns: missing deadlines and timeouts, chains slower than their
  deadline, retry amplification, retries of non-idempotent calls, queues and targets without DLQs,
  visibility timeouts shorter than handlers, health checks without hysteresis or fail-open, deltas.
  Exit 1 when a finding is at or above --fail-on (default high), 0 otherwise, 2 for bad input.
  --server signs its requests when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set
  (region AWS_REGION, default us-east-1); --rules lists every check.`;

const FLAGS = {
  server: { type: 'string' },
  'fail-on': { type: 'string' },
  rules: { type: 'boolean' },
} as const;

const FAIL_ON = [...RISKS, 'never'] as const;
type FailOn = (typeof FAIL_ON)[number];

/** `ballast doctor`: exit 0 healthy enough, 1 findings at or above --fail-on, 2 bad input. */
export async function doctorCommand(args: string[], io: Output): Promise<number> {
  // Known before parsing, so even a usage error is answered in JSON when JSON was asked for.
  const json = args.includes('--json');
  try {
    const { values, positionals } = parse(args, FLAGS);
    if (values.rules) return (io.out(rulesTable(json)), 0);
    const failOn = (values['fail-on'] ?? 'high') as FailOn;
    if (!FAIL_ON.includes(failOn))
      throw new BallastError(
        'InvalidParameterValue',
        `--fail-on must be one of ${FAIL_ON.join(', ')} (got ${values['fail-on']})`,
      );
    if (values.store !== undefined)
      throw new BallastError(
        'InvalidParameterValue',
        'ballast doctor reads a topology file or a server (--server URL), not a store',
      );
    if (positionals.length > 1)
      throw new BallastError(
        'InvalidParameterValue',
        `at most one FILE (got ${positionals.length})\n${DOCTOR_USAGE}`,
      );
    const [file] = positionals;
    if (file === undefined && values.server === undefined)
      throw new BallastError(
        'MissingParameter',
        `give a topology FILE, --server URL, or both\n${DOCTOR_USAGE}`,
      );
    const topology = await load(file, values.server);
    const findings = analyse(topology);
    if (json) io.out(JSON.stringify({ findings, summary: summarise(findings) }, null, 2));
    else
      io.out(
        `ballast doctor: ${[file, values.server].filter(Boolean).join(' + ')} — ${inventory(topology)}\n\n${formatFindings(findings)}`,
      );
    return failOn !== 'never' && findings.some((f) => atLeast(f.risk, failOn as Risk)) ? 1 : 0;
  } catch (error) {
    if (!isBallastError(error) && !(error instanceof UsageError)) throw error;
    // Bad input is the caller's to fix: the problems, exit 2, never a stack trace.
    io.err(`ballast doctor: ${error.message}`);
    if (json)
      io.out(
        JSON.stringify(
          {
            errors:
              error instanceof TopologyError
                ? error.problems
                : [{ path: '', message: error.message }],
          },
          null,
          2,
        ),
      );
    return 2;
  }
}

async function load(file: string | undefined, server: string | undefined): Promise<Topology> {
  let live: LiveTopology | undefined;
  if (server !== undefined) live = await readServerTopology(server, credentialsFromEnv());
  const merge = live === undefined ? undefined : (t: Topology): Topology => mergeLive(t, live);
  if (file !== undefined) return readTopology(file, merge ? { merge } : {});
  return merge ? merge(EMPTY_TOPOLOGY) : EMPTY_TOPOLOGY;
}

function credentialsFromEnv(): {
  credentials?: { accessKeyId: string; secretAccessKey: string };
  region?: string;
} {
  const {
    AWS_ACCESS_KEY_ID: id,
    AWS_SECRET_ACCESS_KEY: secret,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: fallback,
  } = process.env;
  return {
    ...(id && secret ? { credentials: { accessKeyId: id, secretAccessKey: secret } } : {}),
    ...(region || fallback ? { region: (region || fallback) as string } : {}),
  };
}

/** `5 interactions, 3 services, 2 queues, …` — what was checked. */
function inventory(t: Topology): string {
  const counts: [number, string][] = [
    [t.interactions.length, 'interaction'],
    [t.services.length, 'service'],
    [t.queues.length, 'queue'],
    [t.rules.length, 'rule'],
    [t.consumers.length, 'consumer'],
    [t.healthMonitors.length, 'health monitor'],
    [t.statePushes.length, 'state push'],
  ];
  const plural = (noun: string): string => (noun.endsWith('sh') ? `${noun}es` : `${noun}s`);
  return counts.map(([n, noun]) => `${n} ${n === 1 ? noun : plural(noun)}`).join(', ');
}

function rulesTable(json: boolean): string {
  if (json) return JSON.stringify(DOCTOR_RULES, null, 2);
  return table([
    ['ID', 'RISK', 'CHECKS FOR'],
    ...DOCTOR_RULES.map((r) => [r.id, r.risk, r.note ? `${r.title} (${r.note})` : r.title]),
  ]);
}
