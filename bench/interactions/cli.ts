/** The command line of `npm run bench -- interactions`: help and options. */
import { parseArgs } from 'node:util';
import { ALL_ARM_IDS, ARM_IDS, type ArmId } from './arms.js';
import { DEFAULT_OPTIONS, type InteractionsBenchOptions, isDefault, QUICK_OPTIONS } from './run.js';

/** Numeric options: flag, the option it sets, whether it must be a whole number, whether 0 is allowed. */
const NUMERIC: readonly [string, keyof InteractionsBenchOptions, 'count' | 'seconds', boolean][] = [
  ['rate', 'rate', 'count', false],
  ['warmup', 'warmupSeconds', 'seconds', false],
  ['fail', 'failSeconds', 'seconds', false],
  ['recover', 'recoverSeconds', 'seconds', false],
  ['hang', 'hangSeconds', 'seconds', true],
  ['overload', 'overloadSeconds', 'seconds', false],
  ['seed', 'seed', 'count', false],
];

const d = DEFAULT_OPTIONS;
const q = QUICK_OPTIONS;

export const INTERACTIONS_HELP = `usage: npm run bench -- interactions [options]

  Client requests at a fixed rate through each arm (no-backoff, exponential, full-jitter, ballast,
  cockatiel, opossum) against a dependency in its own process that is healthy, fails 100 % (503),
  recovers, hangs, recovers, is overloaded and recovers: downstream calls (amplification),
  successes, errors, p50/p99, completion and recovery times. Writes the interactions section of
  docs/benchmarks.md (or --out).

  --arms a,b,…           arms to run, in this order (default ${ARM_IDS.join(', ')});
                         also ballast-no-breaker: Ballast with breaker: false, the retry budget alone
  --rate N               client requests per second, open loop (default ${d.rate})
  --warmup S             healthy warm-up, seconds (default ${d.warmupSeconds})
  --fail S               503 at once, seconds (default ${d.failSeconds})
  --recover S            each recovered phase, seconds (default ${d.recoverSeconds})
  --hang S               hanging until the client's timeout, seconds; 0 leaves it out (default ${d.hangSeconds})
  --overload S           overloaded, seconds (default ${d.overloadSeconds})
  --seed N               seed of every jitter (default ${d.seed})
  --quick                smoke run: --warmup ${q.warmupSeconds} --fail ${q.failSeconds} --recover ${q.recoverSeconds} --hang ${q.hangSeconds} --overload ${q.overloadSeconds} (other options still apply)
  --out PATH             report path (default docs/benchmarks.md for the full workload,
                         bench/results/interactions-quick.md otherwise)
`;

/** The options asked for (undefined: --help), whether they are the full workload, and --out. */
export function parseInteractionsArgs(
  args: string[],
): { options: InteractionsBenchOptions; full: boolean; out: string | undefined } | undefined {
  const { values } = parseArgs({
    args,
    options: {
      ...Object.fromEntries(NUMERIC.map(([flag]) => [flag, { type: 'string' as const }])),
      arms: { type: 'string' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const options: InteractionsBenchOptions = { ...(values.quick ? QUICK_OPTIONS : DEFAULT_OPTIONS) };
  for (const [flag, key, kind, zero] of NUMERIC) {
    const raw = (values as Record<string, unknown>)[flag];
    if (typeof raw !== 'string') continue;
    const n = Number(raw);
    const ok =
      (kind === 'count' ? Number.isInteger(n) : Number.isFinite(n)) && (n > 0 || (zero && n === 0));
    if (!ok)
      throw new Error(
        `--${flag} must be a ${kind === 'count' ? 'positive whole number' : `${zero ? 'non-negative' : 'positive'} number of seconds`}, got ${raw}`,
      );
    (options as unknown as Record<string, number>)[key] = n;
  }
  if (typeof values.arms === 'string') {
    const arms = values.arms
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = arms.filter((a) => !(ALL_ARM_IDS as readonly string[]).includes(a));
    if (unknown.length > 0 || arms.length === 0)
      throw new Error(`unknown arm(s) ${unknown.join(', ')}; known: ${ALL_ARM_IDS.join(', ')}`);
    options.arms = arms as ArmId[];
  }
  return {
    options,
    full: isDefault(options),
    out: typeof values.out === 'string' ? values.out : undefined,
  };
}
