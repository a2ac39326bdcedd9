/**
 * `ballast serve` security flags (issue 12): --require-auth refuses to start without keys (exit 2),
 * a non-loopback --host without keys warns on stderr, the banner names the address actually bound,
 * and the metrics token and connection limits reach the server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { isLoopbackHost } from '../../src/cli/serve-exposure.js';
import { tempDbPath } from '../helpers/ballast.js';

const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

function capture(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), tty: false };
}

/** Starts `ballast serve ARGS` as a child; resolves with its URL and everything it wrote to stderr up to the banner. */
function serve(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ url: string; stderr: string; proc: ChildProcess }> {
  const childEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', cli, 'serve', '--port', '0', '--store', `sqlite:${tempDbPath()}`, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv,
    },
  );
  running.push(proc);
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving SQS and EventBridge on (http:\/\/\S+)/.exec(err);
      if (m && err.endsWith('\n')) resolve({ url: m[1]!, stderr: err, proc });
    });
    proc.on('exit', (code) => reject(new Error(`ballast serve exited ${code}: ${err}`)));
  });
}

describe('ballast serve --require-auth', () => {
  it('refuses to start without BALLAST_ACCESS_KEYS: exit code 2 and a message saying what to set', async () => {
    const saved = process.env.BALLAST_ACCESS_KEYS;
    delete process.env.BALLAST_ACCESS_KEYS;
    try {
      const io = capture();
      expect(
        await main(
          ['serve', '--require-auth', '--port', '0', '--store', `sqlite:${tempDbPath()}`],
          io,
        ),
      ).toBe(2);
      expect(io.stderr.join('\n')).toMatch(/--require-auth .*no access keys.*BALLAST_ACCESS_KEYS/);
    } finally {
      if (saved !== undefined) process.env.BALLAST_ACCESS_KEYS = saved;
    }
  });

  it('starts with keys: SigV4 clients work, /metrics needs the token, no warning', async () => {
    const { url, stderr, proc } = await serve(
      [
        '--require-auth',
        '--metrics-token',
        'scrape-token-0123456789',
        '--request-timeout',
        '5000',
        '--headers-timeout',
        '2000',
        '--max-connections-per-client',
        '50',
      ],
      { BALLAST_ACCESS_KEYS: 'AKIDCLI:cli-secret', BALLAST_METRICS_TOKEN: undefined },
    );
    expect(stderr).not.toContain('WARNING');
    expect(stderr).toMatch(/bound to 127\.0\.0\.1:\d+; auth: SigV4, 1 key/);
    const sqs = new SQSClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDCLI', secretAccessKey: 'cli-secret' },
      maxAttempts: 1,
    });
    expect((await sqs.send(new ListQueuesCommand({}))).$metadata.httpStatusCode).toBe(200);
    sqs.destroy();
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect(
      (
        await fetch(`${url}/metrics`, {
          headers: { authorization: 'Bearer scrape-token-0123456789' },
        })
      ).status,
    ).toBe(200);
    const exit = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 30_000);
});

describe('ballast serve on a non-loopback --host without keys', () => {
  it('warns on stderr and prints the address actually bound', async () => {
    const { stderr, proc } = await serve(['--host', '0.0.0.0'], { BALLAST_ACCESS_KEYS: undefined });
    expect(stderr).toMatch(
      /WARNING: --host 0\.0\.0\.0 is reachable from other machines and no access keys are set/,
    );
    expect(stderr).toMatch(/bound to 0\.0\.0\.0:\d+; auth: none/);
    const exit = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 30_000);

  it('tells loopback hosts from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect([h, isLoopbackHost(h)]).toEqual([h, true]);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '128.0.0.1'])
      expect([h, isLoopbackHost(h)]).toEqual([h, false]);
  });
});

describe('ballast serve limits', () => {
  it('refuses a headers timeout above the request timeout (exit 2: bad input, store closed)', async () => {
    const io = capture();
    const code = await main(
      [
        'serve',
        '--port',
        '0',
        '--request-timeout',
        '1000',
        '--headers-timeout',
        '5000',
        '--store',
        `sqlite:${tempDbPath()}`,
      ],
      io,
    );
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toContain('headersTimeoutMs');
  });
});
