/**
 * A real PostgreSQL restart mid-consumption, on a private throwaway server (its own data
 * directory and port), so the shared test database is never disturbed.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pgClient from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ballast, openBallast } from '../../src/ballast.js';
import { waitFor } from '../helpers/ballast.js';

/**
 * A free port below Linux's ephemeral range (32768–60999): a port in that range can be taken by
 * any outgoing connection (to the shared PostgreSQL, say) between the server's stop and restart.
 */
async function freeLowPort(from = 25_432): Promise<number> {
  for (let port = from; port < 32_000; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below 32000');
}
const PORT = await freeLowPort();
const binDir = (() => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().pop();
  return version && existsSync(join(root, version, 'bin', 'initdb')) ? join(root, version, 'bin') : undefined;
})();
const asRoot = process.getuid?.() === 0;
// initdb refuses to run as root: run the server as the postgres user.
const canRun = binDir !== undefined && (!asRoot || existsSync('/usr/sbin/runuser'));
const reason = binDir === undefined ? 'PostgreSQL server binaries not found' : 'cannot switch to the postgres user';
if (!canRun) console.warn(`PostgreSQL restart test skipped: ${reason}`);

// The server's output goes to its log file (-l): a pipe to it would keep this call waiting.
function pg(tool: string, args: string[]): void {
  const bin = join(binDir!, tool);
  const options = { stdio: 'ignore' as const, timeout: 60_000 };
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], options);
  else execFileSync(bin, args, options);
}

async function startedAt(): Promise<string> {
  const client = new pgClient.Client({ connectionString: `postgres://postgres@127.0.0.1:${PORT}/postgres` });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string }>('SELECT pg_postmaster_start_time()::text AS t');
    return rows[0]!.t;
  } finally {
    await client.end();
  }
}

describe.skipIf(!canRun)('PostgreSQL restarted mid-consumption', () => {
  let dir: string;
  let data: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ballast-pg-'));
    data = join(dir, 'data');
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      chownSync(dir, uid, gid);
    }
    pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    pg('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${PORT} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  }, 60_000);
  afterAll(() => {
    try {
      pg('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('consumers and senders recover by themselves; every acknowledged send is handled', async () => {
    const ballast: Ballast = await openBallast({ store: `postgres://postgres@127.0.0.1:${PORT}/postgres`, retentionSweepMs: 0 });
    try {
      const q = await ballast.queues.create('restart', { visibilityTimeout: 5 });
      const handled = new Set<string>();
      const consumer = q.consume(
        async (m) => {
          handled.add(m.body);
        },
        { concurrency: 10, waitTimeSeconds: 1 },
      );
      const firstStart = await startedAt();
      const acked: string[] = [];
      let restarted = false;
      const send = async (body: string) => {
        for (let attempt = 0; ; attempt++) {
          try {
            await q.send(body);
            acked.push(body);
            return;
          } catch (error) {
            if (attempt > 100) throw error;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      };
      for (let i = 0; i < 300; i++) {
        await send(`m${i}`);
        if (i === 150) {
          // Fast shutdown terminates every connection; the server comes back on the same port.
          pg('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-m', 'fast', 'restart', '-o', `-p ${PORT} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`]);
          restarted = true;
        }
      }
      await waitFor(() => acked.every((b) => handled.has(b)), 30_000);
      await consumer.stop();
      expect(restarted).toBe(true);
      expect(acked.length).toBe(300);
      expect(acked.filter((b) => !handled.has(b))).toEqual([]);
      // It really was a new server process underneath.
      expect(await startedAt()).not.toBe(firstStart);
    } finally {
      await ballast.close();
    }
  }, 90_000);
});
