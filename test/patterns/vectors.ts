/** Loads the conformance vectors (test/fixtures/event-patterns, copied from ../shared/conformance/event-patterns). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'event-patterns');

/** One case validated on AWS (LocalStack templates). */
export interface AwsCase {
  name: string;
  expected: 'match' | 'no-match' | 'error';
  pattern: object;
  event: Record<string, unknown>;
  awsError?: string;
}

/** One case transcribed from aws/event-ruler's tests. */
export interface RulerCase {
  op: string;
  pattern?: object;
  patternRaw?: string;
  event: Record<string, unknown>;
  shouldMatch: boolean;
  src: string;
}

function load<T>(file: string): { cases: T[]; count: number } {
  return JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { cases: T[]; count: number };
}

export const awsCases = load<AwsCase>('aws-validated-cases.json');
export const rulerCases = load<RulerCase>('event-ruler-cases.json');

/**
 * The event as the JSON text AWS received. `number_comparison_float` was validated with the raw
 * value `300.0` (conformance README); JSON.stringify would print `300`.
 */
export function rawEventText(c: AwsCase): string {
  const text = JSON.stringify(c.event);
  return c.name === 'number_comparison_float'
    ? text.replace('"number":300', '"number":300.0')
    : text;
}
