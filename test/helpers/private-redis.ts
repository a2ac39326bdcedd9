/**
 * A private, throwaway Redis server (its own port and directory, AOF with `appendfsync always`)
 * that tests may stop and restart without disturbing the shared Redis.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLowPort } from './private-pg.js';

const BINARY = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));

/** Why a private Redis cannot run here, or undefined when it can. */
export const privateRedisUnavailable: string | undefined = BINARY
  ? undefined
  : 'redis-server not found';

/** A private Redis server. */
export interface PrivateRedis {
  readonly url: string;
  /** Stops it (SIGKILL: no shutdown save, only the AOF keeps what was written). */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it answers. */
  start(): Promise<void>;
  /** Stops it and deletes its files. */
  destroy(): Promise<void>;
}

/** Starts a private Redis with an append-only file fsynced on every write. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freeLowPort(26_379);
  const dir = mkdtempSync(join(tmpdir(), 'ballast-redis-'));
  let proc: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    proc = spawn(
      BINARY!,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ],
      {
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if (
          execFileSync('redis-cli', ['-p', String(port), 'PING'], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          }).trim() === 'PONG'
        )
          return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error('private Redis did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async (): Promise<void> => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    async destroy() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
