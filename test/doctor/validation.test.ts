import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBallastError } from '../../src/core/errors.js';
import { parseTopology, readTopology } from '../../src/doctor/parse.js';
import { TopologyError } from '../../src/doctor/validate/problems.js';
import { exampleJson, hard, problemsOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-doctor-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('a topology is validated strictly, each problem named by its JSON path', () => {
  it('refuses bad numbers with the path, the range and the value', () => {
    const problems = problemsOf({
      interactions: [hard('a', 'x')],
      services: [
        { name: 'web' },
        { name: 'api' },
        { name: 'edge', calls: [{ to: 'a', timeoutMs: -5 }] },
      ],
    });
    expect(problems).toEqual([
      'services[2].calls[0].timeoutMs: must be a positive integer of at most 86,400,000 ms (got -5)',
    ]);
  });

  it('refuses absurd numbers, fractions and strings where numbers belong', () => {
    const problems = problemsOf({
      interactions: [
        hard('a', 'x', { deadlineMs: 1e12, retry: { maxAttempts: 1000 } }),
        hard('b', 'x', { attemptTimeoutMs: 1.5, workMs: '3' }),
      ],
      queues: [
        {
          name: 'q',
          visibilityTimeoutSeconds: 50_000,
          deadLetter: { queue: 'q2', maxReceiveCount: 0 },
        },
        { name: 'q2' },
      ],
    });
    expect(problems).toEqual([
      'interactions[0].deadlineMs: must be a positive integer of at most 86,400,000 ms (got 1000000000000)',
      'interactions[0].retry.maxAttempts: must be a positive integer of at most 100 (got 1000)',
      'interactions[1].attemptTimeoutMs: must be a positive integer of at most 86,400,000 ms (got 1.5)',
      'interactions[1].workMs: must be an integer from 0 to 86,400,000 ms (got "3")',
      'queues[0].visibilityTimeoutSeconds: must be an integer from 0 to 43,200 seconds (got 50000)',
      'queues[0].deadLetter.maxReceiveCount: must be a positive integer of at most 1,000 (got 0)',
    ]);
  });

  it('refuses unknown fields, suggesting the closest known one', () => {
    const problems = problemsOf({
      interactoins: [],
      interactions: [
        hard('a', 'x', { deadlinMs: 100, retry: { maxAtempts: 2, backof: 'full-jitter' } }),
      ],
      services: [{ name: 'web', calls: [{ to: 'a', timeout: 100 }] }],
    });
    expect(problems).toEqual([
      'interactions[0].retry.maxAttempts: is required',
      'interactions[0].retry.maxAtempts: is not a known field (did you mean "maxAttempts"?)',
      'interactions[0].retry.backof: is not a known field (did you mean "backoff"?)',
      'interactions[0].deadlinMs: is not a known field (did you mean "deadlineMs"?)',
      'services[0].calls[0].timeout: is not a known field (did you mean "timeoutMs"?)',
      'interactoins: is not a known field (did you mean "interactions"?)',
    ]);
  });

  it('suggests the closest choice for a misspelled enum value', () => {
    expect(problemsOf({ interactions: [{ name: 'a', kind: 'hard-realtime' }] })).toEqual([
      'interactions[0].kind: must be one of "hard-real-time", "soft-real-time" (got "hard-realtime") (did you mean "hard-real-time"?)',
    ]);
  });

  it('requires names and kinds, and refuses duplicates', () => {
    expect(
      problemsOf({
        interactions: [{ kind: 'soft-real-time' }, { name: 'x' }, hard('y', 's'), hard('y', 's')],
      }),
    ).toEqual([
      'interactions[0].name: is required',
      'interactions[1].kind: is required ("hard-real-time" or "soft-real-time")',
      'interactions[3].name: duplicates the interaction name "y" of interactions[2].name',
    ]);
  });

  it('checks every reference, with a suggestion', () => {
    const problems = problemsOf({
      interactions: [hard('place-order', 'orders'), hard('charge', 'payments')],
      services: [
        { name: 'orders', calls: [{ to: 'place-ordr' }, { to: 'charge', during: ['charge'] }] },
      ],
      queues: [
        { name: 'jobs', deadLetter: { queue: 'jobs-dql', maxReceiveCount: 3 } },
        { name: 'jobs-dlq' },
      ],
      rules: [{ name: 'r', targets: [{ id: 't', queue: 'job' }] }],
      consumers: [
        { name: 'c', queue: 'jobz' },
        { name: 'd', rule: 'r', target: 'u' },
      ],
    });
    expect(problems).toEqual([
      'services[0].calls[0].to: names no known interaction "place-ordr" (did you mean "place-order"?)',
      'services[0].calls[1].during[0]: "charge" is not an interaction of service "orders" (it is served by payments)',
      'queues[0].deadLetter.queue: names no known queue "jobs-dql" (did you mean "jobs-dlq"?)',
      'rules[0].targets[0].queue: names no known queue "job" (did you mean "jobs"?)',
      'consumers[0].queue: names no known queue "jobz" (did you mean "jobs"?)',
      'consumers[1].target: names no known target (bus/rule/id) "default/r/u" (did you mean "default/r/t"?)',
    ]);
  });

  it('refuses a consumer with no source or two, and a target with two destinations', () => {
    const problems = problemsOf({
      queues: [{ name: 'q', deadLetter: { queue: 'q', maxReceiveCount: 1 } }],
      rules: [{ name: 'r', targets: [{ id: 't', queue: 'q', function: 'f' }] }],
      consumers: [{ name: 'a' }, { name: 'b', queue: 'q', rule: 'r', target: 't' }],
    });
    expect(problems).toEqual([
      'rules[0].targets[0]: must name exactly one of queue, function, endpoint (got 2)',
      'consumers[0]: must name exactly one source: queue, or rule with target',
      'consumers[1]: must name exactly one source: queue, or rule with target',
    ]);
  });

  it('refuses a queue that is its own DLQ, a misplaced budget parameter, and a bad version', () => {
    expect(
      problemsOf({
        version: 2,
        queues: [{ name: 'q', deadLetter: { queue: 'q', maxReceiveCount: 1 } }],
      }),
    ).toEqual(['version: must be 1 (got 2)']);
    expect(
      problemsOf({ queues: [{ name: 'q', deadLetter: { queue: 'q', maxReceiveCount: 1 } }] }),
    ).toEqual(['queues[0].deadLetter.queue: must be another queue, not the queue itself']);
    expect(
      problemsOf({
        interactions: [
          hard('a', 'x', { retry: { maxAttempts: 2, budget: { kind: 'ratio', capacity: 5 } } }),
        ],
      }),
    ).toEqual([
      'interactions[0].retry.budget.capacity: belongs to a "token-bucket" budget, not a "ratio" one',
    ]);
  });

  it('refuses what is not an object, with the type it got', () => {
    expect(problemsOf([])).toEqual([': must be an object (got an array)']);
    expect(problemsOf({ interactions: {} })).toEqual([
      'interactions: must be an array of at most 10,000 items (got an object)',
    ]);
    expect(problemsOf({ services: [3] })).toEqual(['services[0]: must be an object (got 3)']);
  });

  it('throws a typed BallastError (InvalidParameterValue) listing every problem', () => {
    let error: unknown;
    try {
      parseTopology({ interactions: [{ name: 1 }], queues: 'no' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TopologyError);
    expect(isBallastError(error) && error.code).toBe('InvalidParameterValue');
    expect((error as TopologyError).message).toMatch(
      /^invalid topology \(3 problems\):\n {2}interactions\[0\]\.name: /,
    );
  });

  it('accepts both examples, filling in defaults', () => {
    const t = parseTopology(exampleJson('fragile'));
    expect(t.queues[0]).toMatchObject({
      name: 'order-events',
      visibilityTimeoutSeconds: 30,
      isDeadLetterQueue: false,
    });
    expect(t.rules[0]?.targets[0]).toMatchObject({
      maximumRetryAttempts: 185,
      maximumEventAgeSeconds: 86_400,
      bus: 'default',
    });
    expect(t.interactions[2]).toMatchObject({
      name: 'charge',
      idempotent: false,
      retry: { maxAttempts: 3 },
    });
    expect(parseTopology(exampleJson('fixed')).interactions[1]?.retry).toEqual({
      maxAttempts: 2,
      budget: { kind: 'token-bucket', capacity: 500, retryCost: 5 },
      backoff: { strategy: 'full-jitter', baseMs: 50, capMs: 200 },
    });
  });
});

describe('reading a topology file', () => {
  it('names the file, and the line and column of a syntax error', async () => {
    const path = file('broken.json', '{\n  "interactions": [\n    { "name": "a", }\n  ]\n}\n');
    const error = (await readTopology(path).catch((e: unknown) => e)) as TopologyError;
    expect(error).toBeInstanceOf(TopologyError);
    expect(error.message).toContain(`invalid topology ${path}: invalid JSON`);
    expect(error.message).toMatch(/line 3, column \d+/);
  });

  it('names a file it cannot read', async () => {
    const error = (await readTopology(join(dir, 'missing.json')).catch(
      (e: unknown) => e,
    )) as TopologyError;
    expect(error.message).toContain('cannot read the file (ENOENT)');
  });

  it('accepts a byte order mark', async () => {
    const t = await readTopology(
      file('bom.json', '\ufeff{"queues":[{"name":"q","isDeadLetterQueue":true}]}'),
    );
    expect(t.queues.map((q) => q.name)).toEqual(['q']);
  });
});

describe('retry settings use the words of defineInteraction', () => {
  it('reads backoff, baseMs, capMs and budget; baseMs and capMs default to 25 ms → 1 s', () => {
    const retryOf = (retry: unknown) =>
      parseTopology({ interactions: [hard('a', 'x', { retry })] }).interactions[0]?.retry;
    expect(retryOf({ maxAttempts: 3, backoff: 'decorrelated-jitter' })).toEqual({
      maxAttempts: 3,
      backoff: { strategy: 'decorrelated-jitter', baseMs: 25, capMs: 1000 },
    });
    expect(retryOf({ maxAttempts: 3, backoff: 'exponential', baseMs: 2000 })).toEqual({
      maxAttempts: 3,
      backoff: { strategy: 'exponential', baseMs: 2000, capMs: 2000 },
    });
    expect(retryOf({ maxAttempts: 2, budget: 'none' })).toEqual({ maxAttempts: 2 });
    expect(retryOf({ maxAttempts: 2, budget: { kind: 'ratio', ratio: 0.1 } })).toEqual({
      maxAttempts: 2,
      budget: { kind: 'ratio', ratio: 0.1, minRetriesPerSecond: 10 },
    });
  });

  it('refuses a wait without a strategy, and a cap below the base', () => {
    expect(
      problemsOf({ interactions: [hard('a', 'x', { retry: { maxAttempts: 2, baseMs: 10 } })] }),
    ).toEqual([
      'interactions[0].retry.baseMs: only goes with backoff (e.g. "backoff": "full-jitter")',
    ]);
    expect(
      problemsOf({
        interactions: [
          hard('a', 'x', {
            retry: { maxAttempts: 2, backoff: 'full-jitter', baseMs: 500, capMs: 100 },
          }),
        ],
      }),
    ).toEqual(['interactions[0].retry.capMs: must be at least baseMs (500) (got 100)']);
  });
});
