import { readFileSync } from 'node:fs';
import { analyse } from '../../src/doctor/analyse.js';
import type { Finding } from '../../src/doctor/finding.js';
import { parseTopology } from '../../src/doctor/parse.js';
import type { Output } from '../../src/cli/output.js';

/** The path of an example topology. */
export const example = (name: 'fragile' | 'fixed'): string =>
  new URL(`../../examples/doctor/${name}.json`, import.meta.url).pathname;

/** An example topology as parsed JSON, to change in a test. */
export function exampleJson(name: 'fragile' | 'fixed'): Record<string, unknown> {
  return JSON.parse(readFileSync(example(name), 'utf8')) as Record<string, unknown>;
}

/** Validates and analyses a topology written in a test. */
export function doctor(input: unknown): Finding[] {
  return analyse(parseTopology(input));
}

/** The findings with one id. */
export function withId(findings: readonly Finding[], id: string): Finding[] {
  return findings.filter((f) => f.id === id);
}

/** The messages of the problems `parseTopology` throws for `input` (fails the test when it accepts it). */
export function problemsOf(input: unknown): string[] {
  try {
    parseTopology(input);
  } catch (error) {
    const problems = (error as { problems?: { path: string; message: string }[] }).problems;
    if (problems === undefined) throw error;
    return problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected the topology to be refused');
}

/** An Output that keeps what the CLI writes. */
export function capture(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), tty: false };
}

/** A hard real-time interaction served by `service`, for terse test topologies. */
export function hard(
  name: string,
  service: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { name, service, kind: 'hard-real-time', idempotent: true, ...extra };
}
