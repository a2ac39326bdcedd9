import {
  closeSync,
  fdatasyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** What the report says about the machine. */
export interface MachineFacts {
  os: string;
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  disk: string;
  /** 4 KiB write + fdatasync per second in the temporary directory (where the SQLite files live). */
  fdatasyncPerSecond: number;
  loadAverage: string;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The mount (device, type) holding `path`, and whether the block device says it is rotational. */
export function diskOf(path: string): string {
  const mounts = read('/proc/mounts')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f.length >= 3 && path.startsWith(f[1]!))
    .sort((a, b) => b[1]!.length - a[1]!.length);
  const m = mounts[0];
  if (!m) return 'unknown';
  const [device, mountPoint, type] = m as [string, string, string];
  const base = device.replace(/^\/dev\//, '').replace(/p?\d+$/, '');
  const rot = read(`/sys/block/${base}/queue/rotational`).trim();
  const kind =
    rot === '0'
      ? 'non-rotational'
      : rot === '1'
        ? 'flagged rotational by the kernel'
        : 'kind unknown';
  const virtio = base.startsWith('vd')
    ? ', a virtio block device of the VM (virtio reports "rotational" by default; the fdatasync rate below says what it really is)'
    : '';
  return `${device} (${type}, mounted on ${mountPoint}, ${kind}${virtio})`;
}

/** Measures 4 KiB write + fdatasync in `dir`, `count` times. */
export function fdatasyncRate(dir: string, count = 500): number {
  const tmp = mkdtempSync(join(dir, 'ballast-bench-fsync-'));
  const file = join(tmp, 'probe');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const start = performance.now();
  try {
    for (let i = 0; i < count; i++) {
      writeSync(fd, block, 0, block.length, 0);
      fdatasyncSync(fd);
    }
  } finally {
    closeSync(fd);
    rmSync(tmp, { recursive: true, force: true });
  }
  return (count * 1000) / (performance.now() - start);
}

export function machineFacts(): MachineFacts {
  const os = /PRETTY_NAME="([^"]+)"/.exec(read('/etc/os-release'))?.[1] ?? process.platform;
  const cpuModel =
    /model name\s*:\s*(.+)/.exec(read('/proc/cpuinfo'))?.[1]?.trim() ??
    cpus()[0]?.model ??
    'unknown';
  return {
    os,
    nproc: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel,
    node: process.version,
    disk: diskOf(tmpdir()),
    fdatasyncPerSecond: fdatasyncRate(tmpdir()),
    loadAverage: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

/** Busy fraction of all CPUs over `ms` (from /proc/stat); NaN where /proc/stat is missing. */
export async function cpuBusy(ms: number): Promise<number> {
  const sample = (): { busy: number; total: number } | undefined => {
    const line = read('/proc/stat').split('\n')[0];
    if (!line?.startsWith('cpu ')) return undefined;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  };
  const a = sample();
  await new Promise((r) => setTimeout(r, ms));
  const b = sample();
  if (!a || !b || b.total === a.total) return Number.NaN;
  return (b.busy - a.busy) / (b.total - a.total);
}

/** The machine's state just before a system's run: what else is using it. */
export interface Conditions {
  /** CPU busy fraction over one second while the benchmark itself was idle (= other work). */
  otherCpu: number;
  /** 4 KiB write + fdatasync per second right now. */
  fdatasyncPerSecond: number;
  /** Seconds waited for the machine to become quiet. */
  waitedSeconds: number;
}

/**
 * Waits (up to `maxWaitMs`) until other work uses less than `maxBusy` of the CPUs, then
 * measures the disk; returns what it saw. The benchmark runs anyway after the wait.
 */
export async function quietConditions(
  maxBusy: number,
  maxWaitMs: number,
  log: (line: string) => void,
): Promise<Conditions> {
  const start = Date.now();
  let busy = await cpuBusy(1000);
  let told = false;
  while (busy > maxBusy && Date.now() - start < maxWaitMs) {
    if (!told)
      log(
        `  waiting for other work on the machine to settle (CPU ${(busy * 100).toFixed(0)}% busy)…`,
      );
    told = true;
    busy = await cpuBusy(1000);
  }
  return {
    otherCpu: busy,
    fdatasyncPerSecond: fdatasyncRate(tmpdir(), 200),
    waitedSeconds: (Date.now() - start) / 1000 - 1,
  };
}
