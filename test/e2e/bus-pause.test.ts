/**
 * Large events never hold other clients up. With 300 rules, 200 events of ~200 KB wait in the
 * inbox (as after a crash), then the bus starts while a probe client calls the server every
 * 2 ms. Dispatch works through the backlog in batches bounded by bytes, each its own turn of
 * the event loop, so the probe's p99 stays ≤ 100 ms. Before the bound, one batch took all 200
 * events (40 MB of JSON) in one turn and held every client for the whole of it.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/helpers.js';
import { waitFor } from '../helpers/ballast.js';

/** The probe client: GetQueueUrl on the server at argv[1] every 2 ms, one latency (ms) per line. */
const PROBE = `
const url = process.argv[1];
const body = JSON.stringify({ QueueName: 'sink' });
const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.GetQueueUrl' };
(async () => {
  for (;;) {
    const t0 = performance.now();
    const res = await fetch(url + '/', { method: 'POST', headers, body });
    await res.text();
    if (res.status !== 200) process.exit(3);
    process.stdout.write((performance.now() - t0).toFixed(2) + '\\n');
    await new Promise((r) => setTimeout(r, 2));
  }
})();
`;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ ballastOptions: { bus: { background: false } } });
});
afterAll(() => t.close());

it(
  'a backlog of 200 events of 200 KB with 300 rules drains while the probe p99 stays ≤ 100 ms',
  { timeout: 120_000 },
  async () => {
    const { ballast } = t;
    const sink = await ballast.queues.create('sink');
    for (let i = 0; i < 300; i++) {
      await ballast.bus.putRule(`r${i}`, {
        eventPattern: { source: ['load'], detail: { kind: [`k${i % 10}`] } },
      });
      await ballast.bus.putTargets(`r${i}`, [
        { id: 'q', arn: ballast.queues.arn('sink'), inputPath: '$.detail.id' },
      ]);
    }
    const pad = 'x'.repeat(200_000);
    for (let i = 0; i < 200; i += 5) {
      const r = await ballast.bus.putEvents(
        Array.from({ length: 5 }, (_, j) => ({
          source: 'load',
          detailType: 'T',
          detail: JSON.stringify({ id: i + j, kind: `k${(i + j) % 10}`, pad }),
        })),
      );
      expect(r.failedEntryCount).toBe(0);
    }
    const batches: number[] = [];
    ballast.bus.events.on('dispatch:done', (e) => batches.push(e.events));

    // The probe is another process, as other clients are: it calls GetQueueUrl in a loop and
    // prints each latency, ms.
    const probe = spawn(process.execPath, ['-e', PROBE, t.url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    probe.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('\n'), 10_000);
    out = '';
    ballast.bus.start();
    // Every event matches 30 rules, each sending the event's id to the queue.
    await waitFor(async () => (await sink.depth()).visible >= 200 * 30, 60_000);
    const exited = new Promise((r) => probe.once('exit', r));
    probe.kill('SIGTERM');
    await exited;
    const latencies = out.slice(0, out.lastIndexOf('\n')).split('\n').map(Number);

    // The mechanism: no batch took more than 1 MiB of work (four of these events with their 30 deliveries each).
    expect(Math.max(...batches)).toBeLessThanOrEqual(4);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(200);
    const sorted = latencies.sort((a, b) => a - b);
    const p99 = sorted[Math.floor(sorted.length * 0.99)]!;
    expect(sorted.length).toBeGreaterThan(10);
    console.info(
      `probe p99 ${p99.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms, ${sorted.length} probes, largest batch ${Math.max(...batches)} events`,
    );
    expect(
      p99,
      `probe p99 ${p99.toFixed(1)} ms over ${sorted.length} probes (max ${sorted.at(-1)!.toFixed(1)} ms)`,
    ).toBeLessThanOrEqual(100);
  },
);
