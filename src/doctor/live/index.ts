/** Live mode: what a running `ballast serve` has, merged into a topology. */
export { mergeLive } from './merge.js';
export {
  readServerTopology,
  type LiveQueue,
  type LiveRule,
  type LiveTarget,
  type LiveTopology,
  type ReadServerOptions,
} from './read-server.js';
export { type AccessKey } from './sign.js';
