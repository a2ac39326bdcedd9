import type { Topology } from '../types.js';
import { didYouMean, type Problems } from './problems.js';

/**
 * Checks that every name a topology refers to exists: call targets, `during`, dead-letter
 * queues, target queues, consumer sources. Elements that came from a server are trusted (the
 * server already refused dangling references); their places do not start with a JSON path.
 */
export function checkReferences(t: Topology, problems: Problems): void {
  const interactions = new Map(t.interactions.map((i) => [i.name, i]));
  const queues = new Set(t.queues.map((q) => q.name));
  const refer = (
    place: string,
    field: string,
    name: string,
    known: ReadonlySet<string> | ReadonlyMap<string, unknown>,
    what: string,
  ): boolean => {
    if (known.has(name)) return true;
    if (place.startsWith('server')) return false;
    problems.add(
      `${pathOf(place)}.${field}`,
      `names no known ${what} "${name}"${didYouMean(name, known.keys())}`,
    );
    return false;
  };

  for (const service of t.services) {
    const served = new Set(
      t.interactions.filter((i) => i.service === service.name).map((i) => i.name),
    );
    for (const call of service.calls) {
      refer(call.place, 'to', call.to, interactions, 'interaction');
      call.during?.forEach((name, i) => {
        if (served.has(name)) return;
        const hint = interactions.has(name)
          ? ` (it is served by ${interactions.get(name)?.service ?? 'no service'})`
          : didYouMean(name, served);
        problems.add(
          `${pathOf(call.place)}.during[${i}]`,
          `"${name}" is not an interaction of service "${service.name}"${hint}`,
        );
      });
    }
  }
  for (const q of t.queues) {
    if (q.deadLetter === undefined) continue;
    if (
      refer(q.place, 'deadLetter.queue', q.deadLetter.queue, queues, 'queue') &&
      q.deadLetter.queue === q.name
    ) {
      problems.add(
        `${pathOf(q.place)}.deadLetter.queue`,
        'must be another queue, not the queue itself',
      );
    }
  }
  const targets = new Set<string>();
  for (const rule of t.rules) {
    for (const target of rule.targets) {
      targets.add(`${rule.bus}/${rule.name}/${target.id}`);
      if (target.destination.kind === 'queue')
        refer(target.place, 'queue', target.destination.name, queues, 'queue');
      if (target.deadLetterQueue !== undefined)
        refer(target.place, 'deadLetterQueue', target.deadLetterQueue, queues, 'queue');
    }
  }
  const rules = new Set(t.rules.map((r) => `${r.bus}/${r.name}`));
  for (const c of t.consumers) {
    if (c.queue !== undefined) refer(c.place, 'queue', c.queue, queues, 'queue');
    if (c.rule === undefined || c.target === undefined) continue;
    if (refer(c.place, 'rule', `${c.bus}/${c.rule}`, rules, 'rule (bus/rule)')) {
      refer(c.place, 'target', `${c.bus}/${c.rule}/${c.target}`, targets, 'target (bus/rule/id)');
    }
  }
}

/** The JSON path at the start of a place (`queues[0] "x"` → `queues[0]`). */
function pathOf(place: string): string {
  const space = place.indexOf(' ');
  return space < 0 ? place : place.slice(0, space);
}
