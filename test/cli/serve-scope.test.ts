/**
 * `ballast serve --region R --account A` (issue 14): ARNs and QueueUrls use them, bad values exit
 * 2 before anything starts; a wildcard --host prints which URLs clients can use.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { serveScope } from '../../src/cli/serve-scope.js';
import { tempDbPath } from '../helpers/ballast.js';

const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

/** Starts `ballast serve ARGS`; resolves once stderr matches `until`, with the URL of the banner. */
function serve(
  args: string[],
  until: RegExp,
): Promise<{ url: string; stderr: string; proc: ChildProcess }> {
  const env = { ...process.env };
  delete env.BALLAST_ACCESS_KEYS;
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', cli, 'serve', '--port', '0', '--store', `sqlite:${tempDbPath()}`, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  running.push(proc);
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving SQS and EventBridge on (http:\/\/\S+)/.exec(err);
      if (m && until.test(err)) resolve({ url: m[1]!, stderr: err, proc });
    });
    proc.on('exit', (code) => reject(new Error(`ballast serve exited ${code}: ${err}`)));
  });
}

async function stop(proc: ChildProcess): Promise<number | null> {
  const exit = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  proc.kill('SIGTERM');
  return exit;
}

function capture(): Output & { stderr: string[] } {
  const stderr: string[] = [];
  return { stderr, out: () => undefined, err: (l) => stderr.push(l), tty: false };
}

describe('ballast serve --region / --account', () => {
  it('puts them in QueueUrls, ARNs and the banner', async () => {
    const { url, stderr, proc } = await serve(
      ['--region', 'eu-west-1', '--account', '123456789012'],
      /account 123456789012\)\n/,
    );
    expect(stderr).toMatch(/eu-west-1, account 123456789012/);
    const sqs = new SQSClient({
      endpoint: url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const created = await sqs.send(new CreateQueueCommand({ QueueName: 'scoped' }));
    expect(created.QueueUrl).toBe(`${url}/123456789012/scoped`);
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: created.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    expect(attrs.Attributes?.QueueArn).toBe('arn:aws:sqs:eu-west-1:123456789012:scoped');
    sqs.destroy();
    expect(await stop(proc)).toBe(0);
  }, 30_000);

  it('refuses a malformed region or account with exit code 2 and says what is expected', async () => {
    for (const [flag, value, says] of [
      ['--region', 'Europe', /--region must be an AWS region such as us-east-1/],
      ['--region', 'us-east', /--region must be an AWS region/],
      ['--account', '12345', /--account must be a 12-digit AWS account id/],
      ['--account', '12345678901x', /--account must be a 12-digit/],
    ] as const) {
      const io = capture();
      expect(await main(['serve', flag, value, '--store', `sqlite:${tempDbPath()}`], io)).toBe(2);
      expect(io.stderr.join('\n')).toMatch(says);
    }
  });

  it('accepts the shapes AWS regions take', () => {
    for (const r of ['us-east-1', 'eu-central-2', 'us-gov-west-1', 'ap-southeast-4', 'cn-north-1'])
      expect(serveScope(r, undefined)).toEqual({ ok: true, region: r });
    expect(serveScope(undefined, undefined)).toEqual({ ok: true });
  });
});

describe('ballast serve --host 0.0.0.0', () => {
  it('says a wildcard is no address to connect to and names the URLs to use', async () => {
    const { url, stderr, proc } = await serve(['--host', '0.0.0.0'], /means every interface.*\n/);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stderr).toMatch(
      new RegExp(
        `0\\.0\\.0\\.0 means every interface.*on this machine use ${url.replace(/\./g, '\\.')}`,
      ),
    );
    expect(stderr).toMatch(/QueueUrls name the host each client connected to/);
    expect(await stop(proc)).toBe(0);
  }, 30_000);

  it('prints no such note with --public-url', async () => {
    const { stderr, proc } = await serve(
      ['--host', '0.0.0.0', '--public-url', 'http://queues.example:4566'],
      /account 000000000000\)\n/,
    );
    expect(stderr).toMatch(/serving SQS and EventBridge on http:\/\/queues\.example:4566/);
    expect(stderr).not.toMatch(/means every interface/);
    expect(await stop(proc)).toBe(0);
  }, 30_000);
});
