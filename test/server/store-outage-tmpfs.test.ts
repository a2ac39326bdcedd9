/**
 * A REAL full disk: the SQLite file on a 4 MiB tmpfs, filled by another file until ENOSPC.
 * Needs permission to mount (root, or a sandbox that allows it); skipped with the reason
 * otherwise. The deterministic version of the same story is store-outage.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type Ballast, openBallast } from '../../src/ballast.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/driver.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-tmpfs-'));
let mountError: string | null = null;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'pipe' });
} catch (error) {
  mountError = (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error);
}
if (mountError !== null)
  console.warn(`tmpfs full-disk test skipped: cannot mount a tmpfs here (${mountError})`);

let ballast: Ballast | undefined;
let server: RunningServer | undefined;
afterAll(async () => {
  await server?.close();
  await ballast?.close();
  if (mountError === null) execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a file until the file system says ENOSPC. */
function fillFileSystem(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(mountError !== null)('a real full disk (tmpfs)', () => {
  it('refuses sends with 503 while the disk is full, reports degraded, and after space returns has every acknowledged message', async () => {
    const path = join(dir, 'ballast.db');
    // synchronous=full (the default): acknowledged sends are fsynced.
    ballast = await openBallast({
      store: await openSqliteStore(path),
      retentionSweepMs: 0,
      statsTtlMs: 0,
    });
    server = await startServer({ ballast, port: 0, storeProbeIntervalMs: 0 });
    const url = server.url;
    const call = async (operation: string, body: unknown) => {
      const res = await fetch(`${url}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `AmazonSQS.${operation}`,
        },
        body: JSON.stringify(body),
      });
      return {
        status: res.status,
        header: res.headers.get('x-amzn-query-error'),
        body: (await res.json()) as Record<string, unknown>,
      };
    };
    const healthz = async () => {
      const res = await fetch(`${url}/healthz`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const QueueUrl = (await call('CreateQueue', { QueueName: 'tmpfs' })).body.QueueUrl as string;

    const acked: string[] = [];
    for (let i = 0; i < 10; i++) {
      expect((await call('SendMessage', { QueueUrl, MessageBody: `before-${i}` })).status).toBe(
        200,
      );
      acked.push(`before-${i}`);
    }
    const filler = join(dir, 'filler');
    fillFileSystem(filler);

    // SQLite may still fit a few commits into WAL space it already holds; keep sending until
    // the disk refuses one. Every 200 before that is an acknowledged message like the others.
    let refused: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const body = `during-${i}-`.padEnd(32 * 1024, 'x');
      const res = await call('SendMessage', { QueueUrl, MessageBody: body });
      if (res.status === 200) acked.push(body);
      else refused = res;
    }
    expect(refused).toMatchObject({
      status: 503,
      header: 'ServiceUnavailable;Receiver',
      body: { __type: 'com.amazon.coral.service#StoreUnavailable' },
    });
    expect(refused!.body.message).toMatch(
      /^the SQLite store is unavailable: (the disk is full|.*I\/O error)/,
    );
    const degraded = await healthz();
    expect(degraded.status).toBe(503);
    expect(degraded.body).toMatchObject({
      status: 'degraded',
      code: expect.stringMatching(/^(SQLITE_FULL|SQLITE_IOERR|ENOSPC)/),
    });

    unlinkSync(filler);
    expect(await healthz()).toEqual({ status: 200, body: { status: 'ok' } });
    expect((await call('SendMessage', { QueueUrl, MessageBody: 'after' })).status).toBe(200);
    acked.push('after');

    const bodies: string[] = [];
    for (;;) {
      const got = await call('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10 });
      const messages = (got.body.Messages ?? []) as { Body: string }[];
      if (messages.length === 0) break;
      bodies.push(...messages.map((m) => m.Body));
    }
    expect(bodies.sort()).toEqual([...acked].sort());

    // Closed and reopened from the file: intact.
    await server.close();
    await ballast.close();
    server = undefined;
    ballast = undefined;
    const db = new BetterSqlite3(path);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n).toBe(
        acked.length,
      );
    } finally {
      db.close();
    }
  });
});
