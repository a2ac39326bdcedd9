/**
 * The built `ballast` binary (issue 14): --version, --help for every command, usage errors exit 2
 * and failures 1, no store created silently in the current directory, and a closed stdout pipe
 * (`ballast queues list | head -3`) ends the process quietly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openBallast } from '../../src/ballast.js';
import { tempDbPath } from '../helpers/ballast.js';
import { BUILT_CLI, ensureBuilt, runBuilt } from '../helpers/built-cli.js';

const noStoreEnv = { BALLAST_STORE: undefined };
const emptyDir = (): string => mkdtempSync(join(tmpdir(), 'ballast-cwd-'));

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

describe('ballast --version and --help (built binary)', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    for (const flag of ['--version', '-v']) {
      const r = await runBuilt([flag]);
      expect([r.code, r.stdout.trim()]).toEqual([0, pkg.version]);
    }
  });

  it('prints the usage of every command group with COMMAND --help and help COMMAND (exit 0)', async () => {
    for (const command of [
      'serve',
      'queues',
      'send',
      'receive',
      'redrive',
      'events',
      'health',
      'doctor',
    ]) {
      const r = await runBuilt([command, '--help'], { cwd: emptyDir(), env: noStoreEnv });
      expect([command, r.code, r.stderr]).toEqual([command, 0, '']);
      expect(r.stdout).toContain(`ballast ${command}`);
      const viaHelp = await runBuilt(['help', command]);
      expect(viaHelp.stdout).toBe(r.stdout);
    }
    expect((await runBuilt(['serve', '--help'])).stdout).toMatch(/SQS JSON and EventBridge JSON/);
    const events = await runBuilt(['events', 'trace', '--help']);
    expect(events.stdout).toContain('ballast events trace EVENT_ID');
    expect((await runBuilt(['--help'])).stdout).toContain(
      'Exit codes: 0 ok, 1 failure, 2 bad input',
    );
  });
});

describe('exit codes (built binary): 2 for bad input, 1 for failures', () => {
  it('answers usage errors with the usage and exit 2', async () => {
    const cwd = emptyDir();
    const trace = await runBuilt(['events', 'trace'], { cwd, env: noStoreEnv });
    expect(trace.code).toBe(2);
    expect(trace.stderr).toContain('events trace needs an EVENT_ID');
    expect(trace.stderr).toContain('ballast events trace EVENT_ID');
    expect(trace.stderr).not.toContain('ResourceNotFound');
    for (const argv of [
      [],
      ['nope'],
      ['queues'],
      ['queues', 'nope'],
      ['queues', 'create'],
      ['send', 'q'],
      ['events'],
      ['events', 'nope'],
      ['health', 'nope'],
      ['doctor'],
    ]) {
      const r = await runBuilt(argv, { cwd, env: noStoreEnv });
      expect([argv, r.code]).toEqual([argv, 2]);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+:\d+/); // no stack trace
    }
  });

  it('exit 2 for invalid arguments and validation errors, 1 for failures', async () => {
    const store = `sqlite:${tempDbPath()}`;
    const bogus = await runBuilt(['queues', 'list', '--bogus', '--store', store]);
    expect([bogus.code, bogus.stderr]).toEqual([2, expect.stringContaining("'--bogus'")]);
    const badUrl = await runBuilt(['queues', 'list', '--store', 'mysql://x']);
    expect([badUrl.code, badUrl.stderr]).toEqual([2, expect.stringContaining('InvalidStoreUrl')]);
    const badFlag = await runBuilt(['receive', 'q', '--max', '11', '--store', store]);
    expect([badFlag.code, badFlag.stderr]).toEqual([2, expect.stringContaining('--max')]);
    const badPattern = await runBuilt(['events', 'test-pattern', '{"source":"x"}', '{}']);
    expect(badPattern.code).toBe(2);
    for (const argv of [
      ['health', 'run', '--config', '/nonexistent/health.json'],
      ['events', 'explain', '{"source":["a"]}', '@/nonexistent/event.json'],
      ['serve', '--port', '0', '--health', '/nonexistent/health.json', '--store', store],
    ]) {
      const r = await runBuilt(argv);
      expect([argv, r.code, r.stderr]).toEqual([
        argv,
        2,
        expect.stringContaining('cannot read /nonexistent/'),
      ]);
    }
    const missing = await runBuilt(['send', 'missing', 'x', '--store', store]);
    expect([missing.code, missing.stderr]).toEqual([
      1,
      expect.stringContaining('QueueDoesNotExist'),
    ]);
    const noEvent = await runBuilt(['events', 'trace', 'no-such-id', '--store', store]);
    expect([noEvent.code, noEvent.stderr]).toEqual([
      1,
      expect.stringContaining('ResourceNotFoundException'),
    ]);
    const unreachable = await runBuilt([
      'queues',
      'list',
      '--store',
      'postgres://ballast@127.0.0.1:1/none',
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the default store (built binary)', () => {
  it('refuses to create ./.ballast/ballast.db silently: exit 2, saying how to name a store', async () => {
    const cwd = emptyDir();
    for (const argv of [
      ['queues', 'list'],
      ['send', 'q', 'x'],
      ['events', 'rules'],
    ]) {
      const r = await runBuilt(argv, { cwd, env: noStoreEnv });
      expect([argv, r.code]).toEqual([argv, 2]);
      expect(r.stderr).toMatch(/--store URL.*BALLAST_STORE/);
      expect(existsSync(join(cwd, '.ballast'))).toBe(false);
    }
    // Pure commands need no store.
    const pure = await runBuilt(
      ['events', 'explain', '{"source":["shop"]}', '{"source":"shop","detail-type":"T"}'],
      { cwd, env: noStoreEnv },
    );
    expect([pure.code, pure.stdout.split('\n')[0]]).toEqual([0, 'match']);
  });

  it('uses the default store when it exists, and $BALLAST_STORE when set', async () => {
    const cwd = emptyDir();
    mkdirSync(join(cwd, '.ballast'));
    const b = await openBallast({ store: `sqlite:${join(cwd, '.ballast', 'ballast.db')}` });
    await b.queues.create('here');
    await b.close();
    const listed = await runBuilt(['queues', 'list'], { cwd, env: noStoreEnv });
    expect([listed.code, listed.stdout]).toEqual([0, 'here\n']);
    const elsewhere = await runBuilt(['queues', 'list'], {
      cwd: emptyDir(),
      env: { BALLAST_STORE: `sqlite:${join(cwd, '.ballast', 'ballast.db')}` },
    });
    expect([elsewhere.code, elsewhere.stdout]).toEqual([0, 'here\n']);
  });
});

describe('a closed stdout (built binary)', () => {
  it('`ballast queues list | head -3` prints three names and exits 0 without a stack trace', async () => {
    const store = `sqlite:${tempDbPath()}`;
    const b = await openBallast({ store, retentionSweepMs: 0, bus: false });
    // 1,000 names of 70+ characters: more than a pipe holds, so writes go on after head exits.
    for (let i = 0; i < 1000; i++)
      await b.queues.create(`q-${String(i).padStart(4, '0')}-${'x'.repeat(70)}`);
    await b.close();
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${BUILT_CLI}" queues list --store "${store}" 2>err.txt | head -3; echo "exit=\${PIPESTATUS[0]}"; cat err.txt`,
      ],
      { cwd: emptyDir(), encoding: 'utf8' },
    );
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 3).map((l) => l.slice(0, 6))).toEqual(['q-0000', 'q-0001', 'q-0002']);
    expect(lines[3]).toBe('exit=0');
    expect(lines.slice(4).join('\n')).toBe(''); // nothing on stderr: no EPIPE, no stack trace
  }, 60_000);
});
