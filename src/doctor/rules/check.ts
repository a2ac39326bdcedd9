import type { BestPractice, Finding, Risk } from '../finding.js';
import type { CallGraph } from '../graph.js';
import type { WorstCase } from '../timing.js';
import type { Topology } from '../types.js';

/** What every check reads: the topology, its call graph and worst-case times (built once per run). */
export interface CheckContext {
  readonly topology: Topology;
  readonly graph: CallGraph;
  readonly timing: WorstCase;
}

/** One rule of the doctor: a pure function from the topology to its findings. */
export type Check = (context: CheckContext) => Finding[];

/** `n` with its noun, singular or plural: `1 attempt`, `3 attempts`. */
export function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** A finding of rule `id`; its best practice is the id's prefix (`REL04-BP01/no-timeout` → `REL04-BP01`). */
export function finding(
  id: `${BestPractice}/${string}`,
  risk: Risk,
  place: string,
  message: string,
  fix: string,
): Finding {
  return {
    id,
    bestPractice: id.slice(0, id.indexOf('/')) as BestPractice,
    risk,
    place,
    message,
    fix,
  };
}

/** One finding of rule `id` for each of `items` that `bad` picks out; `explain` gives its message and fix. */
export function flagEach<T extends { readonly place: string }>(
  items: readonly T[],
  bad: (item: T) => boolean,
  id: `${BestPractice}/${string}`,
  risk: Risk,
  explain: (item: T) => readonly [message: string, fix: string],
): Finding[] {
  return items.filter(bad).map((item) => finding(id, risk, item.place, ...explain(item)));
}
