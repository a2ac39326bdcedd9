import { BallastError } from '../core/errors.js';
import { parseJsonPath, type PathStep, readPath } from './json-path.js';
import type { BusLimits } from './limits.js';

/** InputTransformer: variables from paths of the event, rendered into a template. */
export interface InputTransformer {
  /** Variable name → JSONPath into the event (≤ 100 entries). */
  inputPathsMap?: Record<string, string>;
  /** Text with `<variable>` placeholders (1–8192 characters). */
  inputTemplate: string;
}

/** What a target receives: at most one of the three (none = the whole event). */
export interface InputShaping {
  /** Constant JSON text sent instead of the event. */
  input?: string;
  /** JSONPath of the part of the event to send, e.g. `$.detail`. */
  inputPath?: string;
  inputTransformer?: InputTransformer;
}

/** Facts about the delivery that templates may use (`<aws.events.*>`). */
export interface ShapeContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** Epoch ms the event was stored. */
  readonly ingestedAt: number;
}

const RESERVED = /^aws\.events\./;
const VARIABLE = /^[A-Za-z0-9_-]{1,256}$/;

/** A compiled shaping: validated once at PutTargets, applied per delivery. */
export type Shaper = (
  event: Record<string, unknown>,
  eventText: string,
  ctx: ShapeContext,
) => string;

/** Validates a target's shaping options and compiles them; throws `ValidationException`. */
export function compileShaping(s: InputShaping, limits: BusLimits): Shaper {
  const given = [s.input, s.inputPath, s.inputTransformer].filter((x) => x !== undefined).length;
  if (given > 1)
    throw new BallastError(
      'ValidationException',
      'Only one of Input, InputPath, or InputTransformer can be provided.',
    );
  if (s.input !== undefined) {
    if (typeof s.input !== 'string' || s.input.length > limits.maxInputLength) {
      throw new BallastError(
        'ValidationException',
        `Input must be a string of at most ${limits.maxInputLength} characters.`,
      );
    }
    try {
      JSON.parse(s.input);
    } catch {
      throw new BallastError('ValidationException', 'Input is not valid JSON text.');
    }
    const constant = s.input;
    return () => constant;
  }
  if (s.inputPath !== undefined) {
    if (typeof s.inputPath !== 'string' || s.inputPath.length > limits.maxInputPathLength) {
      throw new BallastError(
        'ValidationException',
        `InputPath must be at most ${limits.maxInputPathLength} characters.`,
      );
    }
    const steps = parseJsonPath(s.inputPath, 'InputPath');
    if (steps.length === 0) return (_e, text) => text;
    // A path the event lacks sends JSON null (documented in docs/bus.md).
    return (event) => JSON.stringify(readPath(event, steps) ?? null);
  }
  if (s.inputTransformer !== undefined) return compileTransformer(s.inputTransformer, limits);
  return (_e, text) => text;
}

interface Piece {
  readonly literal: string;
  /** Variable after the literal, and whether it sits inside a JSON string. */
  readonly variable: string | null;
  readonly inString: boolean;
}

function compileTransformer(t: InputTransformer, limits: BusLimits): Shaper {
  const template = t.inputTemplate;
  if (
    typeof template !== 'string' ||
    template.length < 1 ||
    template.length > limits.maxInputLength
  ) {
    throw new BallastError(
      'ValidationException',
      `InputTemplate must be 1 to ${limits.maxInputLength} characters.`,
    );
  }
  const entries = Object.entries(t.inputPathsMap ?? {});
  if (entries.length > limits.maxInputPathsMapEntries) {
    throw new BallastError(
      'ValidationException',
      `InputPathsMap may have at most ${limits.maxInputPathsMapEntries} entries.`,
    );
  }
  const paths = new Map<string, PathStep[]>();
  for (const [name, path] of entries) {
    if (!VARIABLE.test(name) || RESERVED.test(name) || name.startsWith('AWS.')) {
      throw new BallastError(
        'ValidationException',
        `InputPathsMap key ${JSON.stringify(name)} is not allowed: 1–256 of [A-Za-z0-9_-], not starting with AWS.`,
      );
    }
    if (typeof path !== 'string' || path.length > limits.maxInputPathLength) {
      throw new BallastError(
        'ValidationException',
        `InputPathsMap path of ${name} must be at most ${limits.maxInputPathLength} characters.`,
      );
    }
    paths.set(name, parseJsonPath(path, `InputPathsMap[${name}]`));
  }
  const pieces = splitTemplate(template, (name) => paths.has(name) || RESERVED.test(name));
  for (const p of pieces) {
    if (
      p.inString &&
      (p.variable === 'aws.events.event' || p.variable === 'aws.events.event.json')
    ) {
      throw new BallastError(
        'ValidationException',
        `<${p.variable}> can only be used as a whole JSON value, not inside a string.`,
      );
    }
  }
  // A template that is not JSON (e.g. `instance <id> is <state>`) is plain text: values go in as they are.
  const plain = !isJson(
    pieces.map((p) => p.literal + (p.variable ? (p.inString ? 'x' : '0') : '')).join(''),
  );
  return (event, eventText, ctx) => {
    let out = '';
    for (const p of pieces) {
      out += p.literal;
      if (p.variable === null) continue;
      const value = variable(p.variable, paths, event, eventText, ctx);
      out += plain
        ? raw(value)
        : p.inString
          ? escapeInString(value)
          : value === undefined
            ? 'null'
            : JSON.stringify(value);
    }
    return out;
  };
}

function variable(
  name: string,
  paths: Map<string, PathStep[]>,
  event: Record<string, unknown>,
  eventText: string,
  ctx: ShapeContext,
): unknown {
  const steps = paths.get(name);
  if (steps) return readPath(event, steps);
  switch (name) {
    case 'aws.events.rule-arn':
      return ctx.ruleArn;
    case 'aws.events.rule-name':
      return ctx.ruleName;
    case 'aws.events.event.ingestion-time':
      return new Date(ctx.ingestedAt).toISOString();
    case 'aws.events.event': {
      const { detail: _detail, ...rest } = event;
      return rest;
    }
    case 'aws.events.event.json':
      return JSON.parse(eventText) as unknown;
    default:
      return undefined;
  }
}

/** Splits a template at its known `<variable>` placeholders, tracking JSON string context. */
function splitTemplate(template: string, known: (name: string) => boolean): Piece[] {
  const pieces: Piece[] = [];
  let literal = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '<') {
      const end = template.indexOf('>', i + 1);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (end > i && known(name)) {
        pieces.push({ literal, variable: name, inString });
        literal = '';
        i = end;
        continue;
      }
    }
    if (c === '\\' && inString) {
      literal += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    literal += c;
  }
  pieces.push({ literal, variable: null, inString });
  return pieces;
}

const raw = (v: unknown): string =>
  v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
// Escaped (unlike EventBridge, which inlines as is and can emit broken JSON): the result stays valid JSON.
const escapeInString = (v: unknown): string => JSON.stringify(raw(v)).slice(1, -1);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
