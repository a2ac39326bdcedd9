/**
 * The leak check: long-lived objects register while running, and a test file that leaves one
 * running fails, naming it and where it started.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  describeLeaks,
  markClosed,
  markRunning,
  runningObjects,
} from '../../src/core/lifecycle.js';

describe('the lifecycle registry', () => {
  it('holds an object from markRunning until markClosed, once however often it is marked', () => {
    const owner = {};
    markRunning(owner, 'thing');
    markRunning(owner, 'thing');
    expect(runningObjects().map((o) => o.kind)).toEqual(['thing']);
    // Under the test setup each start records the test line that made it.
    expect(runningObjects()[0]?.origin).toMatch(/^test\/core\/lifecycle\.test\.ts:\d+:\d+/);
    markClosed(owner);
    expect(runningObjects()).toEqual([]);
  });

  it('describes nothing when nothing runs, and each leaked object by kind and origin otherwise', () => {
    expect(describeLeaks([])).toBeUndefined();
    const text = describeLeaks([
      { kind: 'queue consumer (q)', origin: 'test/a.test.ts:3:5' },
      { kind: 'health monitor (m)', origin: undefined },
    ]);
    expect(text).toContain('2 long-lived object(s) still running');
    expect(text).toContain('  - queue consumer (q) started at test/a.test.ts:3:5');
    expect(text).toContain('  - health monitor (m)\n'.trimEnd());
  });
});

describe('the test run', () => {
  it('fails a file that leaves a consumer running, naming the consumer and the line that started it', async () => {
    // A child vitest run of one fixture that forgets to stop its consumer.
    const run = promisify(execFile)(
      process.execPath,
      [
        'node_modules/vitest/vitest.mjs',
        'run',
        '--config',
        'test/fixtures/leaks/vitest.config.ts',
        '--root',
        '.',
      ],
      {
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      },
    );
    const failure = await run.then(
      () => undefined,
      (error: { code?: number; stdout?: string; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    const output = `${failure?.stdout ?? ''}${failure?.stderr ?? ''}`;
    expect(output).toContain('1 long-lived object(s) still running');
    expect(output).toMatch(
      /queue consumer \(leaky\) started at test\/fixtures\/leaks\/leaky-consumer\.fixture\.ts:11:\d+/,
    );
    expect(output).toMatch(/Tests\s+1 passed/);
  });
});
