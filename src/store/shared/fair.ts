/**
 * Fair queues (standard queues whose messages carry group ids = tenants): when one tenant has a
 * big backlog, the others still get their messages promptly. A claim looks at the oldest and the
 * newest receivable messages and picks, one at a time, from the group with the fewest messages
 * in flight (counting those it already picked), oldest first within ties. Pure: the drivers
 * supply the candidates and the in-flight counts.
 */

/** A receivable message the claim may take. */
export interface FairCandidate {
  readonly position: number;
  /** Tenant; null counts as one tenant of its own. */
  readonly groupId: string | null;
}

/** How many candidates a fair claim looks at on each end of the backlog, for `max` messages. */
export const fairWindow = (max: number): number => Math.max(100, 10 * max);

/**
 * Picks up to `max` positions from `candidates` (given oldest first). `inFlight` holds each
 * group's messages in flight now.
 */
export function pickFair(
  candidates: readonly FairCandidate[],
  inFlight: ReadonlyMap<string | null, number>,
  max: number,
): number[] {
  // Each group's candidates, oldest first; groups visited by their load.
  const queues = new Map<string | null, number[]>();
  for (const c of candidates) {
    let q = queues.get(c.groupId);
    if (!q) queues.set(c.groupId, (q = []));
    q.push(c.position);
  }
  const load = new Map<string | null, number>();
  for (const g of queues.keys()) load.set(g, inFlight.get(g) ?? 0);
  const picked: number[] = [];
  while (picked.length < max && queues.size > 0) {
    let best: string | null | undefined;
    let bestLoad = Infinity;
    let bestHead = Infinity;
    for (const [g, q] of queues) {
      const l = load.get(g)!;
      const head = q[0]!;
      if (l < bestLoad || (l === bestLoad && head < bestHead)) {
        best = g;
        bestLoad = l;
        bestHead = head;
      }
    }
    const q = queues.get(best!)!;
    picked.push(q.shift()!);
    load.set(best!, bestLoad + 1);
    if (q.length === 0) queues.delete(best!);
  }
  return picked;
}
