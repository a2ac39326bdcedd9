/**
 * `ballast/doctor`: `ballast doctor` as a library. Read a topology (file and/or a running server),
 * then `analyse` it for the REL04 anti-patterns of AWS Well-Architected (docs/doctor.md).
 */
export { analyse } from './analyse.js';
export { DOCTOR_RULES, type RuleInfo } from './catalogue.js';
export {
  atLeast,
  RISKS,
  summarise,
  type BestPractice,
  type Finding,
  type FindingSummary,
  type Risk,
} from './finding.js';
export {
  parseTopology,
  readTopology,
  TOPOLOGY_VERSION,
  type ParseTopologyOptions,
} from './parse.js';
export { formatFindings, summaryLine } from './report.js';
export {
  mergeLive,
  readServerTopology,
  type LiveTopology,
  type ReadServerOptions,
} from './live/index.js';
export { TOPOLOGY_LIMITS } from './validate/limits.js';
export { TopologyError, type TopologyProblem } from './validate/problems.js';
export {
  EMPTY_TOPOLOGY,
  type BackoffSpec,
  type BackoffStrategy,
  type BudgetSpec,
  type Call,
  type Consumer,
  type DeadLetterSpec,
  type Destination,
  type HealthMonitor,
  type Interaction,
  type InteractionKind,
  type Queue,
  type RetrySpec,
  type Rule,
  type Service,
  type StatePush,
  type Target,
  type Topology,
} from './types.js';
