import { describe, expect, it } from 'vitest';
import { CallGraph } from '../../src/doctor/graph.js';
import { parseTopology } from '../../src/doctor/parse.js';
import { WorstCase, worstBackoffMs } from '../../src/doctor/timing.js';
import { doctor, hard, withId } from './helpers.js';

/** `layers` services in a line (s0 → i1 → … ), each call making `attempts[k]` attempts. */
function line(attempts: readonly number[], extra: Record<string, unknown> = {}) {
  const interactions = attempts.map((_, k) =>
    hard(`i${k + 1}`, `s${k + 1}`, { deadlineMs: 86_400_000 }),
  );
  const services = attempts.map((n, k) => ({
    name: `s${k}`,
    calls: [
      {
        to: `i${k + 1}`,
        timeoutMs: 10,
        retry: { maxAttempts: n, budget: 'ratio', backoff: 'full-jitter' },
      },
    ],
  }));
  return { interactions, services, ...extra };
}

describe('retry amplification', () => {
  it('3 attempts at each of 5 layers is 3⁵ = 243×, high risk', () => {
    const [f, ...rest] = withId(doctor(line([3, 3, 3, 3, 3])), 'REL04-BP01/retry-amplification');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ risk: 'high', place: 'services[0].calls[0] (s0 → i1)' });
    expect(f?.message).toContain('243 calls of "i5"');
    expect(f?.message).toContain('(3 × 3 × 3 × 3 × 3 = 243×)');
  });

  it('attempts multiply exactly, layers without retries included: 2 × 1 × 5 = 10× is medium', () => {
    const [f] = withId(doctor(line([2, 1, 5])), 'REL04-BP01/retry-amplification');
    expect(f?.risk).toBe('medium');
    expect(f?.message).toContain('(2 × 1 × 5 = 10×)');
    expect(f?.message).toContain('retries at 2 layers');
  });

  it('11× is high', () => {
    expect(withId(doctor(line([11, 1])), 'REL04-BP01/retry-amplification')).toEqual([]);
    const [f] = withId(doctor(line([11, 2])), 'REL04-BP01/retry-amplification');
    expect(f).toMatchObject({ risk: 'high' });
    expect(f?.message).toContain('= 22×');
  });

  it('retries at one layer only are not amplification', () => {
    expect(withId(doctor(line([3, 1, 1])), 'REL04-BP01/retry-amplification')).toEqual([]);
  });

  it('the outside clients of an entry interaction are a layer', () => {
    const t = {
      interactions: [
        hard('entry', 'api', {
          deadlineMs: 1000,
          retry: { maxAttempts: 4, budget: 'ratio', backoff: 'full-jitter' },
        }),
        hard('db', 'store', { deadlineMs: 100 }),
      ],
      services: [
        {
          name: 'api',
          calls: [
            {
              to: 'db',
              timeoutMs: 50,
              retry: { maxAttempts: 3, budget: 'ratio', backoff: 'full-jitter' },
            },
          ],
        },
      ],
    };
    const [f] = withId(doctor(t), 'REL04-BP01/retry-amplification');
    expect(f).toMatchObject({ place: 'interactions[0] "entry"', risk: 'high' });
    expect(f?.message).toContain('(4 × 3 = 12×)');
    expect(f?.message).toContain('outside clients → entry ×4');
  });

  it('the worst of several paths is reported; async calls are not part of the chain', () => {
    const r = (n: number) => ({ maxAttempts: n, budget: 'ratio', backoff: 'full-jitter' });
    const t = {
      interactions: [
        hard('a', 'A', { deadlineMs: 9e7 / 1000 }),
        hard('b', 'B', { deadlineMs: 1 }),
        hard('c', 'C', { deadlineMs: 1 }),
        hard('d', 'D', { deadlineMs: 1 }),
      ],
      services: [
        { name: 'web', calls: [{ to: 'a', timeoutMs: 1, retry: r(2) }] },
        {
          name: 'A',
          calls: [
            { to: 'b', timeoutMs: 1, retry: r(2) },
            { to: 'c', timeoutMs: 1, retry: r(4) },
            { to: 'd', mode: 'async', timeoutMs: 1, retry: r(9) },
          ],
        },
      ],
    };
    const found = withId(doctor(t), 'REL04-BP01/retry-amplification');
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain('(2 × 4 = 8×)');
  });
});

describe('worst-case chain time', () => {
  const timing = (input: unknown) => {
    const graph = new CallGraph(parseTopology(input));
    const worst = new WorstCase(graph);
    return {
      worst,
      at: (name: string) => graph.topology.interactions.find((i) => i.name === name)!,
    };
  };

  it('is attempts × timeout + backoff per call, summed along the chain, capped by callee deadlines', () => {
    const t = {
      interactions: [
        hard('top', 'api', { deadlineMs: 1000, workMs: 20 }),
        hard('mid', 'svc', { deadlineMs: 300, workMs: 10 }),
        hard('leaf', 'db', { deadlineMs: 80 }),
      ],
      services: [
        // 3 × min(200, 300) + exponential 100 → 100 + 200 backoff = 900
        {
          name: 'api',
          calls: [
            {
              to: 'mid',
              timeoutMs: 200,
              retry: { maxAttempts: 3, backoff: 'exponential', baseMs: 100, capMs: 1000 },
            },
          ],
        },
        // 2 × min(100, 80) + constant 25 = 185
        {
          name: 'svc',
          calls: [
            {
              to: 'leaf',
              timeoutMs: 100,
              retry: { maxAttempts: 2, backoff: 'constant', baseMs: 25 },
            },
          ],
        },
      ],
    };
    const { worst, at } = timing(t);
    expect(worst.needMs(at('mid'))).toBe(10 + 185);
    expect(worst.answerMs(at('mid'))).toBe(195);
    // Now mid answers within 195 ms, under the 200 ms timeout: 3 × 195 + 300 = 885.
    expect(worst.needMs(at('top'))).toBe(20 + 885);
  });

  it('reports the chain, the worst case and the deadline when the worst case is over it', () => {
    const t = {
      interactions: [
        hard('checkout', 'api', { deadlineMs: 2000 }),
        hard('pay', 'payments', { deadlineMs: 5000 }),
      ],
      services: [
        {
          name: 'api',
          calls: [
            {
              to: 'pay',
              timeoutMs: 1500,
              retry: { maxAttempts: 2, budget: 'ratio', backoff: 'full-jitter', baseMs: 100 },
            },
          ],
        },
      ],
    };
    const [f] = withId(doctor(t), 'REL04-BP01/chain-exceeds-deadline');
    // 2 × 1,500 + 100 (full jitter's ceiling for the first retry) = 3,100
    expect(f?.message).toContain(
      'can take 3,100 ms in the worst case, over its deadline of 2,000 ms',
    );
    expect(f?.message).toContain('checkout → pay (2 × 1,500 ms [timeout] + 100 ms backoff)');
    expect(f?.place).toBe('interactions[0] "checkout"');
  });

  it('a chain that fits its deadline is not reported', () => {
    const t = {
      interactions: [hard('a', 'x', { deadlineMs: 1000 }), hard('b', 'y', { deadlineMs: 400 })],
      services: [
        {
          name: 'x',
          calls: [
            { to: 'b', timeoutMs: 500 },
            { to: 'b', timeoutMs: 600 },
          ],
        },
      ],
    };
    // 400 + 400 (b answers within its deadline) = 800 ≤ 1,000
    expect(withId(doctor(t), 'REL04-BP01/chain-exceeds-deadline')).toEqual([]);
  });

  it('a call with neither a timeout nor a bounded callee makes the chain unbounded', () => {
    const t = {
      interactions: [hard('a', 'x', { deadlineMs: 1000 }), hard('b', 'y')],
      services: [{ name: 'x', calls: [{ to: 'b' }] }],
    };
    const [f] = withId(doctor(t), 'REL04-BP01/chain-exceeds-deadline');
    expect(f?.message).toContain('can take unbounded');
    expect(f?.message).toContain('b (1 × unbounded [no timeout])');
  });

  it('parallel calls cost the slowest one; async calls only their acknowledgement', () => {
    const base = (parallelCalls: boolean) => ({
      interactions: [
        hard('a', 'x', { deadlineMs: 10_000, parallelCalls }),
        hard('b', 'y', { deadlineMs: 10_000 }),
        hard('c', 'z', { deadlineMs: 10_000 }),
        { name: 'n', kind: 'soft-real-time', service: 'w', maxAgeMs: 1, idempotent: true },
      ],
      services: [
        {
          name: 'x',
          calls: [
            { to: 'b', timeoutMs: 300 },
            { to: 'c', timeoutMs: 200 },
            { to: 'n', mode: 'async', timeoutMs: 50 },
          ],
        },
      ],
    });
    const sequential = timing(base(false));
    expect(sequential.worst.needMs(sequential.at('a'))).toBe(550);
    const parallel = timing(base(true));
    expect(parallel.worst.needMs(parallel.at('a'))).toBe(300);
  });

  it('calls are made only during the interactions they are declared for', () => {
    const t = {
      interactions: [
        hard('read', 'svc', { deadlineMs: 100 }),
        hard('write', 'svc', { deadlineMs: 100 }),
        hard('db', 'pg', { deadlineMs: 500 }),
      ],
      services: [{ name: 'svc', calls: [{ to: 'db', timeoutMs: 400, during: ['write'] }] }],
    };
    const { worst, at } = timing(t);
    expect(worst.needMs(at('read'))).toBe(0);
    expect(worst.needMs(at('write'))).toBe(400);
  });
});

describe('worst-case backoff', () => {
  const spec = (strategy: string, baseMs = 100, capMs = 20_000) =>
    ({ strategy, baseMs, capMs }) as Parameters<typeof worstBackoffMs>[0];

  it('sums the ceiling of each wait before retries 1 … n−1', () => {
    expect(worstBackoffMs(undefined, 5)).toBe(0);
    expect(worstBackoffMs(spec('none'), 5)).toBe(0);
    expect(worstBackoffMs(spec('constant'), 4)).toBe(300);
    // 100 + 200 + 400 + 800
    for (const s of ['exponential', 'full-jitter', 'equal-jitter'])
      expect(worstBackoffMs(spec(s), 5)).toBe(1500);
    // 300 + 900 + 2,700 (the upper bound triples)
    expect(worstBackoffMs(spec('decorrelated-jitter'), 4)).toBe(3900);
    // capped at 250 from the third wait on: 100 + 200 + 250 + 250
    expect(worstBackoffMs(spec('exponential', 100, 250), 5)).toBe(800);
    expect(worstBackoffMs(spec('exponential'), 1)).toBe(0);
  });
});
