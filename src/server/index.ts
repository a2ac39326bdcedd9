/**
 * `ballast/server`: the HTTP face of Ballast — the AWS SQS JSON 1.0 and EventBridge JSON 1.1
 * protocols on one port (point the AWS SDKs at it), `GET /healthz` and `GET /metrics` (Prometheus).
 */
export { createApp, type BallastApp } from './app.js';
export { startServer, type RunningServer } from './serve.js';
export {
  DEFAULT_APP_OPTIONS,
  DEFAULT_SERVER_LIMITS,
  type AppOptions,
  type ServerCredentials,
  type ServerLogger,
  type StartServerOptions,
} from './options.js';
export { verifySigV4, type SignedRequest, type SigV4Policy } from './protocols/aws/sigv4.js';
export { opsGate, type OpsGateOptions } from './auth/ops-gate.js';
