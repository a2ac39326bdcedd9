import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { DOCTOR_RULES } from '../../src/doctor/catalogue.js';
import { capture, example } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-doctor-cli-'));

async function run(...argv: string[]) {
  const io = capture();
  const code = await main(['doctor', ...argv], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

function write(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

describe('ballast doctor FILE: exit codes', () => {
  it('exits 1 when a finding is at or above --fail-on (default high)', async () => {
    expect((await run(example('fragile'))).code).toBe(1);
  });

  it('exits 0 when nothing reaches --fail-on', async () => {
    expect((await run(example('fixed'))).code).toBe(0);
    expect((await run(example('fragile'), '--fail-on', 'never')).code).toBe(0);
  });

  it('--fail-on medium and low lower the bar', async () => {
    // Only low findings: a soft real-time interaction without maxAgeMs.
    const lowOnly = write('low.json', {
      interactions: [{ name: 'later', kind: 'soft-real-time', idempotent: true }],
    });
    expect((await run(lowOnly)).code).toBe(0);
    expect((await run(lowOnly, '--fail-on', 'medium')).code).toBe(0);
    expect((await run(lowOnly, '--fail-on', 'low')).code).toBe(1);
  });

  it('exits 2 with every problem, and no stack trace, for an invalid topology', async () => {
    const bad = write('bad.json', {
      services: [{ name: 'a', calls: [{ to: 'x', timeoutMs: -1 }] }],
      queuez: [],
    });
    const { code, stdout, stderr } = await run(bad);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `ballast doctor: invalid topology ${bad} (2 problems):\n  services[0].calls[0].timeoutMs: must be a positive integer of at most 86,400,000 ms (got -1)\n  queuez: is not a known field (did you mean "queues"?)`,
    );
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('exits 2 for a JSON syntax error and a missing file', async () => {
    expect((await run(write('syntax.json', '{"queues": [}'))).code).toBe(2);
    const missing = await run(join(dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the file (ENOENT)');
  });

  it('exits 2 for usage errors: no input, two files, an unknown flag, a bad --fail-on', async () => {
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give a topology FILE, --server URL, or both');
    expect((await run(example('fixed'), example('fragile'))).code).toBe(2);
    const flag = await run(example('fixed'), '--verbose');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--verbose'");
    expect((await run(example('fixed'), '--store', 'sqlite:x.db')).code).toBe(2);
    const failOn = await run(example('fixed'), '--fail-on', 'critical');
    expect(failOn.code).toBe(2);
    expect(failOn.stderr).toContain(
      '--fail-on must be one of high, medium, low, never (got critical)',
    );
  });

  it('--help prints the usage and exits 0; the top-level usage lists doctor', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ballast doctor \[FILE\] \[--server URL\]/);
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain('ballast doctor [FILE]');
  });
});

describe('ballast doctor output', () => {
  it('--json prints { findings, summary } as valid JSON', async () => {
    const { code, stdout } = await run(example('fragile'), '--json');
    expect(code).toBe(1);
    const body = JSON.parse(stdout) as {
      findings: {
        id: string;
        bestPractice: string;
        risk: string;
        place: string;
        message: string;
        fix: string;
      }[];
      summary: { high: number; medium: number; low: number; total: number };
    };
    expect(Object.keys(body)).toEqual(['findings', 'summary']);
    expect(body.summary.total).toBe(body.findings.length);
    expect(body.summary.high + body.summary.medium + body.summary.low).toBe(body.summary.total);
    for (const f of body.findings)
      expect(Object.keys(f)).toEqual(['id', 'bestPractice', 'risk', 'place', 'message', 'fix']);
    expect(JSON.parse((await run(example('fixed'), '--json')).stdout)).toEqual({
      findings: [],
      summary: { high: 0, medium: 0, low: 0, total: 0 },
    });
  });

  it('--json prints the problems as JSON too when the input is bad', async () => {
    const { code, stdout } = await run(write('bad2.json', { queues: [{ name: '' }] }), '--json');
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({
      errors: [
        {
          path: 'queues[0].name',
          message: 'must be a non-empty string of at most 256 printable characters (got "")',
        },
      ],
    });
  });

  it('groups the text by risk and ends with a summary line', async () => {
    const { stdout } = await run(example('fragile'));
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(
      /^ballast doctor: .*fragile\.json — 5 interactions, 3 services, 1 queue, 1 rule, 1 consumer, 1 health monitor, 1 state push$/,
    );
    const headings = lines
      .filter((l) => /^(HIGH|MEDIUM|LOW) \(\d+\)$/.test(l))
      .map((l) => l.split(' ')[0]);
    expect(headings).toEqual(['HIGH', 'MEDIUM', 'LOW']);
    expect(lines[lines.length - 1]).toMatch(/^\d+ findings: \d+ high, \d+ medium, \d+ low$/);
    expect(stdout).toContain(
      '  REL04-BP01/retry-amplification  interactions[0] "checkout"\n    retries at 3 layers',
    );
    expect(stdout).toContain('\n    fix: ');
    expect((await run(example('fixed'))).stdout.split('\n').pop()).toBe('no findings');
  });

  it('--rules lists every check', async () => {
    const { code, stdout } = await run('--rules');
    expect(code).toBe(0);
    for (const r of DOCTOR_RULES) expect(stdout).toContain(r.id);
    expect(JSON.parse((await run('--rules', '--json')).stdout)).toHaveLength(DOCTOR_RULES.length);
  });

  it('is what docs/doctor.md shows for both examples', async () => {
    const doc = readFileSync(new URL('../../docs/doctor.md', import.meta.url), 'utf8');
    for (const name of ['fragile', 'fixed']) {
      // Relative paths, as in the docs (tests run from the repository root).
      const { stdout } = await run(`examples/doctor/${name}.json`);
      expect(doc, name).toContain(`$ ballast doctor examples/doctor/${name}.json`);
      expect(doc, name).toContain(stdout);
    }
  });
});
