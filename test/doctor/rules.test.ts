import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/doctor/analyse.js';
import { DOCTOR_RULES } from '../../src/doctor/catalogue.js';
import { readTopology } from '../../src/doctor/parse.js';
import { doctor, example, hard, withId } from './helpers.js';

const retries3 = { maxAttempts: 3, budget: 'token-bucket', backoff: 'full-jitter' };

describe('the fixed example', () => {
  it('has no findings at all (so no high or medium one)', async () => {
    expect(analyse(await readTopology(example('fixed')))).toEqual([]);
  });
});

describe('the fragile example', () => {
  it('shows every anti-pattern the checkout story is about', async () => {
    const ids = new Set(analyse(await readTopology(example('fragile'))).map((f) => f.id));
    for (const id of [
      'REL04-BP01/no-deadline',
      'REL04-BP01/no-timeout',
      'REL04-BP01/chain-exceeds-deadline',
      'REL04-BP01/timeout-over-deadline',
      'REL04-BP01/retry-amplification',
      'REL04-BP01/retry-no-budget',
      'REL04-BP04/retry-not-idempotent',
      'REL04-BP04/consumer-not-idempotent',
      'REL04-BP02/queue-no-dlq',
      'REL04-BP02/target-no-dlq',
      'REL04-BP02/visibility-below-handler',
      'REL04-BP03/health-no-hysteresis',
      'REL04-BP03/health-no-fail-open',
      'REL04-BP03/delta-push',
      'REL04-BP02/no-stale-drop',
    ]) {
      expect(ids, id).toContain(id);
    }
  });

  it('reports only ids of the catalogue, each with the catalogue best practice', async () => {
    const catalogue = new Map(DOCTOR_RULES.map((r) => [r.id, r]));
    for (const f of analyse(await readTopology(example('fragile')))) {
      expect(catalogue.get(f.id)?.bestPractice, f.id).toBe(f.bestPractice);
      expect(f.id.startsWith(f.bestPractice)).toBe(true);
    }
  });
});

describe('REL04-BP01: deadlines and timeouts', () => {
  it('a hard real-time interaction without deadlineMs is high risk', () => {
    const [f, ...rest] = withId(
      doctor({ interactions: [hard('pay', 'p')] }),
      'REL04-BP01/no-deadline',
    );
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      bestPractice: 'REL04-BP01',
      risk: 'high',
      place: 'interactions[0] "pay"',
    });
  });

  it('a soft real-time interaction needs no deadline', () => {
    expect(
      withId(
        doctor({ interactions: [{ name: 's', kind: 'soft-real-time', maxAgeMs: 1000 }] }),
        'REL04-BP01/no-deadline',
      ),
    ).toEqual([]);
  });

  it('a synchronous call without a timeout is high risk; an asynchronous one low', () => {
    const findings = doctor({
      interactions: [
        hard('a', 'x', { deadlineMs: 100 }),
        { name: 'b', kind: 'soft-real-time', maxAgeMs: 1, idempotent: true },
      ],
      services: [{ name: 'web', calls: [{ to: 'a' }, { to: 'b', mode: 'async' }] }],
    });
    expect(withId(findings, 'REL04-BP01/no-timeout').map((f) => [f.place, f.risk])).toEqual([
      ['services[0].calls[0] (web → a)', 'high'],
      ['services[0].calls[1] (web → b)', 'low'],
    ]);
  });

  it("a call inherits the callee's attemptTimeoutMs", () => {
    const findings = doctor({
      interactions: [hard('a', 'x', { deadlineMs: 100, attemptTimeoutMs: 100 })],
      services: [{ name: 'web', calls: [{ to: 'a' }] }],
    });
    expect(withId(findings, 'REL04-BP01/no-timeout')).toEqual([]);
  });

  it("a timeout longer than the calling interaction's deadline is reported", () => {
    const findings = doctor({
      interactions: [hard('a', 'x', { deadlineMs: 1000 }), hard('b', 'y', { deadlineMs: 500 })],
      services: [{ name: 'x', calls: [{ to: 'b', timeoutMs: 1500 }] }],
    });
    const [f] = withId(findings, 'REL04-BP01/timeout-over-deadline');
    expect(f).toMatchObject({ risk: 'medium', place: 'services[0].calls[0] (x → b)' });
    expect(f?.message).toContain('1,500 ms');
    expect(f?.message).toContain('1,000 ms');
  });

  it('interactions calling each other synchronously in a circle are reported once', () => {
    const findings = doctor({
      interactions: [hard('a', 'x', { deadlineMs: 1000 }), hard('b', 'y', { deadlineMs: 1000 })],
      services: [
        { name: 'x', calls: [{ to: 'b', timeoutMs: 100 }] },
        { name: 'y', calls: [{ to: 'a', timeoutMs: 100 }] },
      ],
    });
    const cycles = withId(findings, 'REL04-BP01/sync-cycle');
    expect(cycles).toHaveLength(1);
    expect(cycles[0]?.message).toContain('a → b → a');
  });
});

describe('REL04-BP01 and BP04: retries', () => {
  const retried = (
    calleeExtra: Record<string, unknown>,
    retries: Record<string, unknown> = retries3,
  ) =>
    doctor({
      interactions: [hard('a', 'x', { deadlineMs: 10_000, ...calleeExtra })],
      services: [{ name: 'web', calls: [{ to: 'a', timeoutMs: 100, retry: retries }] }],
    });

  it('retries of an interaction not declared idempotent are high risk', () => {
    const [f] = withId(retried({ idempotent: false }), 'REL04-BP04/retry-not-idempotent');
    expect(f).toMatchObject({
      bestPractice: 'REL04-BP04',
      risk: 'high',
      place: 'services[0].calls[0] (web → a)',
    });
    expect(f?.message).toContain('up to 3 attempts');
  });

  it("a call's own idempotent (an idempotency key) makes its retries safe", () => {
    const findings = doctor({
      interactions: [hard('a', 'x', { deadlineMs: 10_000, idempotent: false })],
      services: [
        { name: 'web', calls: [{ to: 'a', timeoutMs: 100, retry: retries3, idempotent: true }] },
      ],
    });
    expect(withId(findings, 'REL04-BP04/retry-not-idempotent')).toEqual([]);
  });

  it('outside clients retrying an entry interaction count as a retry layer', () => {
    const findings = doctor({
      interactions: [
        hard('a', 'x', { deadlineMs: 100, idempotent: false, retry: { maxAttempts: 2 } }),
      ],
    });
    expect(withId(findings, 'REL04-BP04/retry-not-idempotent').map((f) => f.message)).toEqual([
      expect.stringContaining('outside clients retries "a"'),
    ]);
  });

  it('a hard real-time interaction retried without a budget is medium risk; with one it is not reported', () => {
    expect(
      withId(retried({}, { maxAttempts: 2, backoff: 'full-jitter' }), 'REL04-BP01/retry-no-budget'),
    ).toMatchObject([{ risk: 'medium' }]);
    expect(withId(retried({}), 'REL04-BP01/retry-no-budget')).toEqual([]);
  });

  it('retries without backoff are medium risk, backoff without jitter low', () => {
    expect(
      withId(retried({}, { maxAttempts: 2, budget: 'ratio' }), 'REL04-BP01/no-backoff'),
    ).toMatchObject([{ risk: 'medium' }]);
    const lockstep = retried({}, { maxAttempts: 2, budget: 'ratio', backoff: 'exponential' });
    expect(withId(lockstep, 'REL04-BP01/no-jitter')).toMatchObject([{ risk: 'low' }]);
    expect(withId(retried({}), 'REL04-BP01/no-jitter')).toEqual([]);
  });

  it('one attempt is not a retry: nothing about retries is reported', () => {
    const findings = retried({ idempotent: false }, { maxAttempts: 1 });
    expect(findings.filter((f) => /retry|backoff|jitter/.test(f.id))).toEqual([]);
  });
});

describe('REL04-BP02 and BP04: queues, targets and consumers', () => {
  const messaging = (queue: Record<string, unknown>, consumer: Record<string, unknown>) =>
    doctor({
      queues: [{ name: 'jobs', ...queue }, { name: 'jobs-dlq' }],
      consumers: [{ name: 'worker', queue: 'jobs', ...consumer }],
    });
  const safeQueue = { deadLetter: { queue: 'jobs-dlq', maxReceiveCount: 5 } };

  it('a queue without a DLQ is medium risk; DLQs themselves are not asked for one', () => {
    const findings = messaging({}, { idempotent: true, handlerTimeoutSeconds: 10 });
    expect(withId(findings, 'REL04-BP02/queue-no-dlq').map((f) => [f.place, f.risk])).toEqual([
      ['queues[0] "jobs"', 'medium'],
    ]);
    expect(
      withId(
        messaging(safeQueue, { idempotent: true, handlerTimeoutSeconds: 10 }),
        'REL04-BP02/queue-no-dlq',
      ),
    ).toEqual([]);
  });

  it('a queue declared isDeadLetterQueue, or only sent to by targets, is not asked for a DLQ', () => {
    const findings = doctor({
      queues: [{ name: 'parking', isDeadLetterQueue: true }, { name: 'lost-events' }],
      rules: [{ name: 'r', targets: [{ id: 't', function: 'f', deadLetterQueue: 'lost-events' }] }],
    });
    expect(withId(findings, 'REL04-BP02/queue-no-dlq')).toEqual([]);
  });

  it('a visibility timeout shorter than the handler timeout is high risk', () => {
    const [f] = withId(
      messaging(
        { ...safeQueue, visibilityTimeoutSeconds: 30 },
        { idempotent: true, handlerTimeoutSeconds: 31 },
      ),
      'REL04-BP02/visibility-below-handler',
    );
    expect(f).toMatchObject({ risk: 'high', place: 'consumers[0] "worker"' });
    expect(f?.message).toContain('30 seconds');
    expect(f?.message).toContain('31 seconds');
  });

  it("a heartbeat, or the consumer's own longer visibility, makes a long handler safe", () => {
    const short = { ...safeQueue, visibilityTimeoutSeconds: 30 };
    expect(
      withId(
        messaging(short, { idempotent: true, handlerTimeoutSeconds: 60, heartbeat: true }),
        'REL04-BP02/visibility-below-handler',
      ),
    ).toEqual([]);
    expect(
      withId(
        messaging(short, {
          idempotent: true,
          handlerTimeoutSeconds: 60,
          visibilityTimeoutSeconds: 90,
        }),
        'REL04-BP02/visibility-below-handler',
      ),
    ).toEqual([]);
    expect(
      withId(
        messaging(short, { idempotent: true, handlerTimeoutSeconds: 30 }),
        'REL04-BP02/visibility-below-handler',
      ),
    ).toEqual([]);
  });

  it('a consumer not declared idempotent is high risk, for queues and bus targets alike', () => {
    const findings = doctor({
      queues: [
        { name: 'jobs', deadLetter: { queue: 'jobs-dlq', maxReceiveCount: 3 } },
        { name: 'jobs-dlq' },
      ],
      rules: [
        {
          name: 'placed',
          targets: [{ id: 'crm', endpoint: 'crm-hook', deadLetterQueue: 'jobs-dlq' }],
        },
      ],
      consumers: [
        { name: 'worker', queue: 'jobs', handlerTimeoutSeconds: 5 },
        { name: 'crm', rule: 'placed', target: 'crm', handlerTimeoutSeconds: 5 },
      ],
    });
    expect(
      withId(findings, 'REL04-BP04/consumer-not-idempotent').map((f) => [f.place, f.risk]),
    ).toEqual([
      ['consumers[0] "worker"', 'high'],
      ['consumers[1] "crm"', 'high'],
    ]);
  });

  it('a consumer without a handler timeout is medium risk', () => {
    expect(
      withId(messaging(safeQueue, { idempotent: true }), 'REL04-BP02/handler-no-timeout'),
    ).toMatchObject([{ risk: 'medium' }]);
  });

  it('a bus target without a DLQ is medium risk', () => {
    const findings = doctor({
      rules: [
        {
          name: 'r',
          bus: 'orders',
          targets: [{ id: 't', function: 'f', retryPolicy: { maximumRetryAttempts: 3 } }],
        },
      ],
    });
    const [f] = withId(findings, 'REL04-BP02/target-no-dlq');
    expect(f).toMatchObject({
      risk: 'medium',
      place: 'rules[0].targets[0] (rule "r" → function "f")',
    });
    expect(f?.message).toContain('after 3 retries or 86,400 s');
  });

  it('a soft real-time interaction without maxAgeMs is low risk', () => {
    expect(
      withId(
        doctor({ interactions: [{ name: 's', kind: 'soft-real-time' }] }),
        'REL04-BP02/no-stale-drop',
      ),
    ).toMatchObject([{ risk: 'low' }]);
  });
});

describe('REL04-BP03: constant work', () => {
  const monitor = (m: Record<string, unknown>) =>
    doctor({ healthMonitors: [{ name: 'fleet', intervalMs: 1000, timeoutMs: 500, ...m }] });

  it('a health monitor without thresholds, or with 1/1, has no hysteresis', () => {
    expect(withId(monitor({ failOpen: true }), 'REL04-BP03/health-no-hysteresis')).toMatchObject([
      { risk: 'medium' },
    ]);
    expect(
      withId(
        monitor({ failOpen: true, healthyThreshold: 1, unhealthyThreshold: 1 }),
        'REL04-BP03/health-no-hysteresis',
      ),
    ).toHaveLength(1);
    expect(
      withId(
        monitor({ failOpen: true, healthyThreshold: 3, unhealthyThreshold: 2 }),
        'REL04-BP03/health-no-hysteresis',
      ),
    ).toEqual([]);
  });

  it('a health monitor without fail-open or a panic threshold is medium risk', () => {
    const base = { healthyThreshold: 3, unhealthyThreshold: 2 };
    expect(withId(monitor(base), 'REL04-BP03/health-no-fail-open')).toMatchObject([
      { risk: 'medium' },
    ]);
    expect(
      withId(monitor({ ...base, panicThresholdPercent: 50 }), 'REL04-BP03/health-no-fail-open'),
    ).toEqual([]);
  });

  it('a probe timeout not below the interval is reported', () => {
    expect(
      withId(
        monitor({ timeoutMs: 1000, failOpen: true }),
        'REL04-BP03/probe-timeout-over-interval',
      ),
    ).toHaveLength(1);
  });

  it('delta pushes are medium risk (low with a periodic resync); pushes only on change are low', () => {
    const push = (p: Record<string, unknown>) =>
      doctor({ statePushes: [{ name: 'cfg', kind: 'config', ...p }] });
    expect(withId(push({ mode: 'delta', everyMs: 1000 }), 'REL04-BP03/delta-push')).toMatchObject([
      { risk: 'medium', place: 'statePushes[0] "cfg"' },
    ]);
    expect(
      withId(
        push({ mode: 'delta', everyMs: 1000, resyncEveryMs: 60_000 }),
        'REL04-BP03/delta-push',
      ),
    ).toMatchObject([{ risk: 'low' }]);
    expect(push({ mode: 'full-snapshot', everyMs: 1000 })).toEqual([]);
    expect(withId(push({ mode: 'full-snapshot' }), 'REL04-BP03/push-on-change')).toMatchObject([
      { risk: 'low' },
    ]);
  });
});

describe('findings', () => {
  it('come most serious first, then by id and place', async () => {
    const findings = analyse(await readTopology(example('fragile')));
    const order = { high: 0, medium: 1, low: 2 };
    const keys = findings.map((f) => `${order[f.risk]} ${f.id} ${f.place}`);
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
  });
});
