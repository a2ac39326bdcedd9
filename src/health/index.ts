/**
 * `ballast/health`: constant-work health checking (a fixed-rate monitor publishing fixed-size
 * full snapshots every interval), statically stable consumers, quorum aggregation, client-side
 * load balancing, and full-state config distribution.
 */
export {
  HealthMonitor,
  type HealthMonitorOptions,
  type MonitoredEndpoint,
  type SnapshotListener,
  type TickStats,
} from './monitor.js';
export { HealthService, type HealthServiceOptions } from './service.js';
export { healthRoutes, type SnapshotSource } from './routes.js';
export {
  HealthAggregator,
  type AggregatorOptions,
  type CheckerView,
  type OfferResult,
} from './aggregator.js';
export {
  LoadBalancer,
  type HealthSource,
  type Lease,
  type LoadBalancerOptions,
} from './balancer.js';
export {
  ConfigPublisher,
  ConfigSubscriber,
  configChecksum,
  fileChannel,
  httpChannel,
  type ConfigChannel,
  type ConfigEnvelope,
  type ConfigPublisherOptions,
  type ConfigRefusal,
  type ConfigSubscriberOptions,
} from './config-push.js';
export { writeFileAtomic } from './atomic-file.js';
export {
  decodeSnapshot,
  encodeSnapshot,
  encodeSnapshotInto,
  SNAPSHOT_HEADER_BYTES,
  SnapshotError,
  snapshotBytes,
  snapshotToJson,
  type SnapshotErrorReason,
  type SnapshotJson,
} from './snapshot.js';
export { layoutOf, MAX_ENDPOINT_ID_BYTES } from './layout.js';
export {
  SnapshotConsumer,
  type ApplyResult,
  type ConsumerCounters,
  type ConsumerListener,
  type LayoutResolver,
  type RejectReason,
  type SnapshotConsumerOptions,
} from './snapshot-consumer.js';
export {
  DEFAULT_EXPECT_STATUS,
  HEALTH_CONFIG_LIMITS,
  HealthConfigError,
  parseHealthConfig,
  readHealthConfig,
  type HealthConfigProblem,
} from './config.js';
export {
  createProbeAgents,
  functionProbe,
  httpProbe,
  probeFor,
  tcpProbe,
  type ProbeAgents,
} from './probes.js';
export * from './types.js';
export { HEALTH_EVENT_DETAIL_TYPE, HEALTH_EVENT_SOURCE, snapshotEvent } from './bus-events.js';
export {
  AggregateService,
  type AggregateServiceOptions,
  type CheckerRead,
} from './aggregate-service.js';
