/** What `analyse` reports: one anti-pattern at one place, with the fix. */

/** The four best practices of AWS Well-Architected REL 4. */
export type BestPractice = 'REL04-BP01' | 'REL04-BP02' | 'REL04-BP03' | 'REL04-BP04';

/** How much a finding threatens availability. */
export type Risk = 'high' | 'medium' | 'low';

/** Risks from the most to the least serious. */
export const RISKS: readonly Risk[] = ['high', 'medium', 'low'];

/** One anti-pattern found. `id` is stable across releases (`REL04-BP01/no-timeout`). */
export interface Finding {
  readonly id: string;
  readonly bestPractice: BestPractice;
  readonly risk: Risk;
  /** JSON path and name of the offending element (`services[1].calls[0] (orders → charge)`). */
  readonly place: string;
  /** What is wrong, with the numbers. */
  readonly message: string;
  /** The concrete change that removes it. */
  readonly fix: string;
}

/** Findings counted by risk. */
export interface FindingSummary {
  readonly high: number;
  readonly medium: number;
  readonly low: number;
  readonly total: number;
}

/** Counts `findings` by risk. */
export function summarise(findings: readonly Finding[]): FindingSummary {
  const count = (risk: Risk): number => findings.filter((f) => f.risk === risk).length;
  return {
    high: count('high'),
    medium: count('medium'),
    low: count('low'),
    total: findings.length,
  };
}

/** Whether `risk` is at least as serious as `threshold`. */
export function atLeast(risk: Risk, threshold: Risk): boolean {
  return RISKS.indexOf(risk) <= RISKS.indexOf(threshold);
}

/** Most serious first, then by id, then by place (a stable order for diffs and tests). */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    RISKS.indexOf(a.risk) - RISKS.indexOf(b.risk) ||
    a.id.localeCompare(b.id) ||
    a.place.localeCompare(b.place)
  );
}

/** `1234` → `1,234`; Infinity → `unbounded`. */
export function num(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : 'unbounded';
}

/** A duration for messages: `1,500 ms`, or `unbounded`. */
export function ms(n: number): string {
  return Number.isFinite(n) ? `${num(n)} ms` : 'unbounded';
}
