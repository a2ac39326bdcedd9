import { compareFindings, type Finding } from './finding.js';
import { CallGraph } from './graph.js';
import { retryAmplification } from './rules/amplification.js';
import { chainExceedsDeadline } from './rules/chain-time.js';
import type { Check } from './rules/check.js';
import {
  consumerNotIdempotent,
  handlerNoTimeout,
  visibilityBelowHandler,
} from './rules/consumers.js';
import { syncCycle } from './rules/cycles.js';
import { noDeadline, noTimeout, timeoutOverDeadline } from './rules/deadlines.js';
import { queueNoDlq, targetNoDlq } from './rules/dead-letters.js';
import { healthMonitorShape } from './rules/health.js';
import { backoffShape, retryNoBudget, retryNotIdempotent } from './rules/retry-safety.js';
import { noStaleDrop } from './rules/soft-real-time.js';
import { statePushShape } from './rules/state-push.js';
import { WorstCase } from './timing.js';
import type { Topology } from './types.js';

const CHECKS: readonly Check[] = [
  noDeadline,
  noTimeout,
  timeoutOverDeadline,
  chainExceedsDeadline,
  retryAmplification,
  syncCycle,
  retryNotIdempotent,
  retryNoBudget,
  backoffShape,
  consumerNotIdempotent,
  visibilityBelowHandler,
  handlerNoTimeout,
  queueNoDlq,
  targetNoDlq,
  noStaleDrop,
  healthMonitorShape,
  statePushShape,
];

/** Runs every REL04 check over a validated topology; findings come most serious first, in a stable order. */
export function analyse(topology: Topology): Finding[] {
  const graph = new CallGraph(topology);
  const context = { topology, graph, timing: new WorstCase(graph) };
  return CHECKS.flatMap((check) => check(context)).sort(compareFindings);
}
