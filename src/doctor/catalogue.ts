import type { BestPractice, Risk } from './finding.js';

/** One kind of finding the doctor reports. */
export interface RuleInfo {
  readonly id: string;
  readonly bestPractice: BestPractice;
  /** Its risk; some rules lower it in milder cases (see `note`). */
  readonly risk: Risk;
  readonly title: string;
  readonly note?: string;
}

/** Every finding id `analyse` can report (ids never change meaning once released). */
export const DOCTOR_RULES: readonly RuleInfo[] = [
  {
    id: 'REL04-BP01/no-deadline',
    bestPractice: 'REL04-BP01',
    risk: 'high',
    title: 'hard real-time interaction without deadlineMs',
  },
  {
    id: 'REL04-BP01/no-timeout',
    bestPractice: 'REL04-BP01',
    risk: 'high',
    title: 'call without a timeout',
    note: 'low for async calls',
  },
  {
    id: 'REL04-BP01/timeout-over-deadline',
    bestPractice: 'REL04-BP01',
    risk: 'medium',
    title: "per-attempt timeout longer than the calling interaction's deadline",
  },
  {
    id: 'REL04-BP01/chain-exceeds-deadline',
    bestPractice: 'REL04-BP01',
    risk: 'high',
    title: "worst-case time of an interaction's calls exceeds its deadline",
  },
  {
    id: 'REL04-BP01/retry-amplification',
    bestPractice: 'REL04-BP01',
    risk: 'high',
    title: 'retries at two or more layers of a synchronous chain',
    note: 'medium when the factor is 10× or less',
  },
  {
    id: 'REL04-BP01/sync-cycle',
    bestPractice: 'REL04-BP01',
    risk: 'high',
    title: 'interactions calling each other synchronously in a circle',
  },
  {
    id: 'REL04-BP01/retry-no-budget',
    bestPractice: 'REL04-BP01',
    risk: 'medium',
    title: 'hard real-time interaction retried without a retry budget',
  },
  {
    id: 'REL04-BP01/no-backoff',
    bestPractice: 'REL04-BP01',
    risk: 'medium',
    title: 'retries with no backoff',
  },
  {
    id: 'REL04-BP01/no-jitter',
    bestPractice: 'REL04-BP01',
    risk: 'low',
    title: 'exponential or constant backoff without jitter',
  },
  {
    id: 'REL04-BP02/visibility-below-handler',
    bestPractice: 'REL04-BP02',
    risk: 'high',
    title: "visibility timeout shorter than the consumer's handler timeout",
  },
  {
    id: 'REL04-BP02/queue-no-dlq',
    bestPractice: 'REL04-BP02',
    risk: 'medium',
    title: 'queue without a dead-letter queue',
  },
  {
    id: 'REL04-BP02/target-no-dlq',
    bestPractice: 'REL04-BP02',
    risk: 'medium',
    title: 'event-bus target without a dead-letter queue',
  },
  {
    id: 'REL04-BP02/handler-no-timeout',
    bestPractice: 'REL04-BP02',
    risk: 'medium',
    title: 'consumer without a handler timeout',
  },
  {
    id: 'REL04-BP02/no-stale-drop',
    bestPractice: 'REL04-BP02',
    risk: 'low',
    title: 'soft real-time interaction without maxAgeMs',
  },
  {
    id: 'REL04-BP03/health-no-hysteresis',
    bestPractice: 'REL04-BP03',
    risk: 'medium',
    title: 'health monitor without healthy/unhealthy thresholds',
  },
  {
    id: 'REL04-BP03/health-no-fail-open',
    bestPractice: 'REL04-BP03',
    risk: 'medium',
    title: 'health monitor without fail-open or a panic threshold',
  },
  {
    id: 'REL04-BP03/probe-timeout-over-interval',
    bestPractice: 'REL04-BP03',
    risk: 'medium',
    title: 'probe timeout not below the probe interval',
  },
  {
    id: 'REL04-BP03/delta-push',
    bestPractice: 'REL04-BP03',
    risk: 'medium',
    title: 'state pushed as deltas instead of full snapshots',
    note: 'low with resyncEveryMs',
  },
  {
    id: 'REL04-BP03/push-on-change',
    bestPractice: 'REL04-BP03',
    risk: 'low',
    title: 'state pushed only on change, not every interval',
  },
  {
    id: 'REL04-BP04/retry-not-idempotent',
    bestPractice: 'REL04-BP04',
    risk: 'high',
    title: 'retries of a call that is not idempotent',
  },
  {
    id: 'REL04-BP04/consumer-not-idempotent',
    bestPractice: 'REL04-BP04',
    risk: 'high',
    title: 'at-least-once delivery into a consumer not declared idempotent',
  },
];
