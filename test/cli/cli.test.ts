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
    expect(JSON.parse(stats.stdout[0]!)).toEqual([
      expect.objectContaining({ queue: 'orders', visible: 1 }),
    ]);
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
    await run(
      'queues',
      'create',
      'jobs',
      '--dlq',
      'jobs-dlq',
      '--max-receive-count',
      '1',
      '--visibility-timeout',
      '0',
    );
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
    expect(await main(['queues', 'list', '--bogus', '--store', store], e2)).toBe(2); // bad input (issue 14)
    expect(e2.stderr[0]).toContain("Unknown option '--bogus'");
    const e3 = capture();
    expect(await main(['queues', 'list', '--store', 'mysql://x'], e3)).toBe(2); // bad input (issue 14)
    expect(e3.stderr[0]).toContain('InvalidStoreUrl');
  });
});

describe('ballast events CLI', () => {
  const store = `sqlite:${tempDbPath()}`;
  const run = async (...argv: string[]) => {
    const io = capture();
    const code = await main(['events', ...argv, '--store', store], io);
    return { code, ...io };
  };

  it('tests and explains patterns without a store', async () => {
    const event = JSON.stringify({
      id: '1',
      account: '1',
      source: 'shop',
      time: '2026-01-01T00:00:00Z',
      region: 'r',
      resources: [],
      'detail-type': 'T',
      detail: { total: 5 },
    });
    const yes = await main(['events', 'test-pattern', '{"source":["shop"]}', event], capture());
    expect(yes).toBe(0);
    const io = capture();
    expect(
      await main(['events', 'explain', '{"detail":{"total":[{"numeric":[">",10]}]}}', event], io),
    ).toBe(1);
    expect(io.stdout[0]?.split('\n')[0]).toBe('no match');
    expect(io.stdout.join('\n')).toContain('detail.total');
  });

  it('puts an event, lists rules and targets, traces the event, archives and replays with a final status', async () => {
    const { openBallast } = await import('../../src/ballast.js');
    const b = await openBallast({ store, retentionSweepMs: 0, bus: { background: false } });
    try {
      await b.queues.create('sink');
      await b.bus.putRule('shop', { eventPattern: { source: ['shop'] } });
      await b.bus.putTargets('shop', [{ id: 'q', arn: b.queues.arn('sink') }]);
      expect((await run('archive', 'create', 'all')).code).toBe(0);
      const put = await run(
        'put',
        '--source',
        'shop',
        '--detail-type',
        'Order',
        '--detail',
        '{"n":1}',
      );
      expect(put.code).toBe(0);
      const eventId = put.stdout[0]!;
      expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await run('rules')).stdout.join('\n')).toMatch(
        /shop\s+ENABLED\s+\{"source":\["shop"\]\}/,
      );
      expect((await run('targets', 'shop')).stdout.join('\n')).toContain(b.queues.arn('sink'));
      expect((await run('trace', eventId)).stdout[0]).toContain('waiting for dispatch');
      await b.bus.dispatchOnce();
      const trace = await run('trace', eventId, '--json');
      expect(JSON.parse(trace.stdout.join('\n'))).toMatchObject({
        dispatched: true,
        deliveries: [{ targetId: 'q', state: 'delivered' }],
      });
      expect((await run('archive', 'list')).stdout.join('\n')).toMatch(
        /all\s+1\s+\d+\s+0\s+\(all\)/,
      );
      const replay = await run(
        'replay',
        'all',
        '--from',
        '0',
        '--to',
        String(Date.now() + 60_000),
        '--name',
        'again',
      );
      expect(replay.stdout).toEqual(['COMPLETED: replayed 1 events']);
      expect(replay.code).toBe(0);
      expect(
        (
          await run(
            'explain',
            '--rule',
            'shop',
            JSON.stringify({
              id: '1',
              account: '1',
              source: 'other',
              time: 't',
              region: 'r',
              resources: [],
              'detail-type': 'T',
              detail: {},
            }),
          )
        ).code,
      ).toBe(1);
      expect((await run('trace', 'no-such-id')).code).toBe(1);
    } finally {
      await b.close();
    }
  });
});
