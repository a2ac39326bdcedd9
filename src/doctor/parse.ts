/**
 * Reads and validates a topology file (format: docs/doctor.md). Every problem is collected and
 * named by its JSON path, so one run shows all of them.
 */
import { readFile } from 'node:fs/promises';
import type { Topology } from './types.js';
import { defined, Fields } from './validate/fields.js';
import { readHealthMonitors, readStatePushes } from './validate/constant-work.js';
import { readInteractions, readServices } from './validate/interactions.js';
import { readConsumers, readQueues, readRules } from './validate/messaging.js';
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

/** Validates a parsed JSON topology; throws a `TopologyError` (code `InvalidParameterValue`) listing every problem. */
export function parseTopology(input: unknown, options: ParseTopologyOptions = {}): Topology {
  const problems = new Problems();
  const root = Fields.of(input, '', problems);
  if (root === undefined) throw new TopologyError(problems.list, options.source);
  const version = root.raw('version');
  if (version !== undefined && version !== TOPOLOGY_VERSION) root.fail('version', `must be ${TOPOLOGY_VERSION} (got ${JSON.stringify(version)})`);
  root.text('$schema');
  root.text('description');
  const name = root.name('name');
  const topology: Topology = {
    ...defined({ name }),
    interactions: readInteractions(root),
    services: readServices(root),
    queues: readQueues(root),
    rules: readRules(root),
    consumers: readConsumers(root),
    healthMonitors: readHealthMonitors(root),
    statePushes: readStatePushes(root),
  };
  root.done();
  // Cross-references only mean something once every element is well-formed.
  problems.throwIfAny(options.source);
  const merged = options.merge ? options.merge(topology) : topology;
  checkReferences(merged, problems);
  problems.throwIfAny(options.source);
  return merged;
}

/** Reads a JSON topology file and validates it like `parseTopology`; a syntax error names the line and column. */
export async function readTopology(path: string, options: Omit<ParseTopologyOptions, 'source'> = {}): Promise<Topology> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TopologyError([{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }], path);
  }
  return parseTopology(parseJson(text, path), { ...options, source: path });
}

/** `JSON.parse` with a byte order mark allowed and errors as `TopologyError`s with a line and column where V8 gives a position. */
export function parseJson(text: string, source?: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const where = at?.[1] === undefined ? '' : ` at ${lineAndColumn(body, Number(at[1]))}`;
    throw new TopologyError([{ path: '', message: `invalid JSON${where}: ${message}` }], source);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}
