/**
 * A private, throwaway PostgreSQL server (its own data directory and port) that tests may stop
 * and restart without disturbing the shared test database.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pgClient from 'pg';

/**
 * A free port below Linux's ephemeral range (32768–60999): a port in that range can be taken by
 * any outgoing connection (to the shared PostgreSQL, say) between a server's stop and restart.
 */
export async function freeLowPort(from = 25_432): Promise<number> {
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

const binDir = (() => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().pop();
  return version && existsSync(join(root, version, 'bin', 'initdb'))
    ? join(root, version, 'bin')
    : undefined;
})();
const asRoot = process.getuid?.() === 0;

/** Why a private server cannot run here, or undefined when it can (initdb refuses root: then it runs as `postgres`). */
export const privatePgUnavailable: string | undefined =
  binDir === undefined
    ? 'PostgreSQL server binaries not found'
    : asRoot && !existsSync('/usr/sbin/runuser')
      ? 'cannot switch to the postgres user'
      : undefined;

// The server's output goes to its log file (-l): a pipe to it would keep this call waiting.
function pgTool(tool: string, args: string[]): void {
  const bin = join(binDir!, tool);
  const options = { stdio: 'ignore' as const, timeout: 60_000 };
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], options);
  else execFileSync(bin, args, options);
}

/** A private PostgreSQL server. */
export interface PrivatePg {
  readonly url: string;
  /** Fast shutdown (every connection is terminated) and start again on the same port. */
  restart(): void;
  /** Fast shutdown; `start` brings it back. */
  stop(): void;
  start(): void;
  /** When the running server process started (tells a restart happened). */
  startedAt(): Promise<string>;
  /** Stops it and deletes its data. */
  destroy(): void;
}

/** Creates and starts a private PostgreSQL server (fsync off: its data is thrown away). */
export async function startPrivatePg(): Promise<PrivatePg> {
  const port = await freeLowPort();
  const dir = mkdtempSync(join(tmpdir(), 'ballast-pg-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const log = join(dir, 'log');
  pgTool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const start = (): void =>
    pgTool('pg_ctl', ['-D', data, '-w', '-l', log, '-o', serverOptions, 'start']);
  start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    restart: () =>
      pgTool('pg_ctl', ['-D', data, '-w', '-l', log, '-m', 'fast', 'restart', '-o', serverOptions]),
    stop: () => pgTool('pg_ctl', ['-D', data, '-w', '-m', 'fast', 'stop']),
    start,
    async startedAt() {
      const client = new pgClient.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ t: string }>(
          'SELECT pg_postmaster_start_time()::text AS t',
        );
        return rows[0]!.t;
      } finally {
        await client.end();
      }
    },
    destroy() {
      try {
        pgTool('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
