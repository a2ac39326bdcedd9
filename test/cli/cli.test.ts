import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { tempDbPath } from '../helpers/ballast.js';

function capture(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), tty: false };
}

describe('ballast CLI', () => {
  it('creates, lists, sends, receives, shows stats, purges and deletes queues', async () => {
    const store = `sqlite:${tempDbPath()}`;
    const run = async (...argv: string[]) => {
      const io = capture();
      const code = await main([...argv, '--store', store], io);
      return { code, ...io };
    };
    expect((await run('queues', 'create', 'orders', '--visibility-timeout', '45')).code).toBe(0);
    expect((await run('queues', 'list')).stdout).toEqual(['orders']);
    const sent = await run('send', 'orders', 'hello world');
    expect(sent.code).toBe(0);
    expect(sent.stdout[0]).toMatch(/^[0-9a-f-]{36}$/);
    const stats = await run('queues', 'stats', 'orders', '--json');
    expect(JSON.parse(stats.stdout[0]!)).toEqual([expect.objectContaining({ queue: 'orders', visible: 1 })]);
    const got = await run('receive', 'orders', '--max', '10');
    expect(got.stdout).toEqual([`${sent.stdout[0]}\thello world`]);
    const empty = await run('receive', 'orders');
    expect(empty.stdout).toEqual([]);
    expect(empty.stderr).toEqual(['(no messages)']);
    expect((await run('queues', 'purge', 'orders')).code).toBe(0);
    expect((await run('queues', 'delete', 'orders')).code).toBe(0);
    expect((await run('queues', 'list')).stdout).toEqual([]);
  });

  it('redrives a dead-letter queue back to the source', async () => {
    const store = `sqlite:${tempDbPath()}`;
    const run = async (...argv: string[]) => {
      const io = capture();
      return { code: await main([...argv, '--store', store], io), ...io };
    };
    await run('queues', 'create', 'jobs-dlq');
    await run('queues', 'create', 'jobs', '--dlq', 'jobs-dlq', '--max-receive-count', '1', '--visibility-timeout', '0');
    await run('send', 'jobs', 'poison');
    await run('receive', 'jobs', '--keep'); // first receive
    await run('receive', 'jobs', '--keep'); // moves it to the DLQ
    const dlqStats = await run('queues', 'stats', 'jobs-dlq', '--json');
    expect(JSON.parse(dlqStats.stdout[0]!)[0].visible).toBe(1);
    const r = await run('redrive', 'jobs-dlq');
    expect(r.code).toBe(0);
    expect(r.stdout).toEqual(['COMPLETED: moved 1 of 1']);
    expect((await run('receive', 'jobs')).stdout[0]).toMatch(/\tpoison$/);
  });

  it('answers bad input with a clear error and a non-zero exit code', async () => {
    const io = capture();
    expect(await main(['nope'], io)).toBe(2);
    expect(io.stderr[0]).toContain('unknown command "nope"');
    const store = `sqlite:${tempDbPath()}`;
    const e1 = capture();
    expect(await main(['send', 'missing', 'x', '--store', store], e1)).toBe(1);
    expect(e1.stderr[0]).toContain('QueueDoesNotExist');
    const e2 = capture();
    expect(await main(['queues', 'list', '--bogus', '--store', store], e2)).toBe(1);
    expect(e2.stderr[0]).toContain("Unknown option '--bogus'");
    const e3 = capture();
    expect(await main(['queues', 'list', '--store', 'mysql://x'], e3)).toBe(1);
    expect(e3.stderr[0]).toContain('InvalidStoreUrl');
  });
});
