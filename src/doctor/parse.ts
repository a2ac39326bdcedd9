/**
 * Reads and validates a topology file (format: docs/doctor.md). Every problem is collected and
 * named by its JSON path, so one run shows all of them.
 */
import * as v from 'valibot';
import { readJsonFile } from '../core/config/read-file.js';
import { leaf } from '../core/config/schema.js';
import { validateConfig } from '../core/config/validate.js';
import type { Topology } from './types.js';
import { defined, name, object, text } from './validate/fields.js';
import {
  HEALTH_MONITORS,
  STATE_PUSHES,
  toHealthMonitors,
  toStatePushes,
} from './validate/constant-work.js';
import { INTERACTIONS, SERVICES, toInteractions, toServices } from './validate/interactions.js';
import { CONSUMERS, QUEUES, RULES, toConsumers, toQueues, toRules } from './validate/messaging.js';
import { Problems, TopologyError } from './validate/problems.js';
import { checkReferences } from './validate/references.js';

/** The only format version so far. */
export const TOPOLOGY_VERSION = 1;

/** Options of `parseTopology`. */
export interface ParseTopologyOptions {
  /** Applied before references are checked (so the file may name what only the server has). */
  merge?: (fromFile: Topology) => Topology;
  /** Named in error messages (a file name). */
  source?: string;
}

const TOPOLOGY = object({
  version: v.optional(
    leaf<number>(
      (x) => x === TOPOLOGY_VERSION,
      (got) => `must be ${TOPOLOGY_VERSION} (got ${JSON.stringify(got)})`,
    ),
  ),
  $schema: v.optional(text()),
  description: v.optional(text()),
  name: v.optional(name()),
  interactions: v.optional(INTERACTIONS),
  services: v.optional(SERVICES),
  queues: v.optional(QUEUES),
  rules: v.optional(RULES),
  consumers: v.optional(CONSUMERS),
  healthMonitors: v.optional(HEALTH_MONITORS),
  statePushes: v.optional(STATE_PUSHES),
});

/** Validates a parsed JSON topology; throws a `TopologyError` (code `InvalidParameterValue`) listing every problem. */
export function parseTopology(input: unknown, options: ParseTopologyOptions = {}): Topology {
  const result = validateConfig(TOPOLOGY, input);
  if (!result.ok) throw new TopologyError(result.problems, options.source);
  const t = result.value;
  const topology: Topology = {
    ...defined({ name: t.name }),
    interactions: toInteractions(t.interactions),
    services: toServices(t.services),
    queues: toQueues(t.queues),
    rules: toRules(t.rules),
    consumers: toConsumers(t.consumers),
    healthMonitors: toHealthMonitors(t.healthMonitors),
    statePushes: toStatePushes(t.statePushes),
  };
  // Cross-references only mean something once every element is well-formed.
  const merged = options.merge ? options.merge(topology) : topology;
  const problems = new Problems();
  checkReferences(merged, problems);
  problems.throwIfAny(options.source);
  return merged;
}

/** Reads a JSON topology file and validates it like `parseTopology`; a syntax error names the line and column. */
export async function readTopology(
  path: string,
  options: Omit<ParseTopologyOptions, 'source'> = {},
): Promise<Topology> {
  const file = await readJsonFile(path);
  if (!file.ok) throw new TopologyError([file.problem], path);
  return parseTopology(file.value, { ...options, source: path });
}
