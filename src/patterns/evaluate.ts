/**
 * `testEventPattern`: one pattern against one event, evaluated directly (no value indexes).
 * It is the reference the compiled matcher is tested against.
 */
import { BallastError } from '../core/errors.js';
import { type PatternLimits, resolvePatternLimits } from './limits.js';
import { type ParsedPattern, validateEventPattern } from './parse.js';
import { LeafTest } from './predicate.js';
import type { Branch, Condition } from './types.js';
import { type Check, holdsTogether } from './verify.js';
import { EventWalker, PathTrie, readEvent } from './walk.js';

/** Options of `testEventPattern` and `explainEventPattern`. */
export interface TestEventOptions {
  /**
   * Require the envelope fields AWS TestEventPattern requires: `id`, `account`, `source`,
   * `time`, `region`, `detail-type`. Set false to test bare JSON documents. @defaultValue true
   */
  requireEnvelope?: boolean;
  /** Limits for validating the pattern and walking the event. @defaultValue DEFAULT_PATTERN_LIMITS */
  limits?: Partial<PatternLimits>;
}

/** The envelope fields TestEventPattern requires (the AWS-validated vectors show `resources` is not one). */
export const REQUIRED_ENVELOPE_FIELDS = [
  'id',
  'account',
  'source',
  'time',
  'region',
  'detail-type',
] as const;

/** A pattern bound to a trie of its paths, ready to walk events. */
export class Evaluation {
  readonly pattern: ParsedPattern;
  readonly walker: EventWalker<unknown>;
  private readonly checks = new Map<Condition, Check>();

  constructor(pattern: string | object, options: TestEventOptions = {}) {
    const limits = resolvePatternLimits(options.limits);
    this.pattern = validateEventPattern(pattern, limits);
    const trie = new PathTrie<unknown>();
    for (const branch of this.pattern.branches) {
      for (const c of branch.conditions) {
        if (!this.checks.has(c))
          this.checks.set(c, { node: trie.acquire(c.segments), test: new LeafTest(c) });
      }
    }
    this.walker = new EventWalker(trie, limits.maxEventDepth);
  }

  /** The check of a condition of this pattern. */
  check(c: Condition): Check {
    return this.checks.get(c)!;
  }

  /** Walks `event` (text or value), checking the envelope unless told not to. */
  walk(event: unknown, requireEnvelope = true): void {
    const value = readEvent(event);
    if (requireEnvelope) {
      const missing = REQUIRED_ENVELOPE_FIELDS.filter((f) => !Object.hasOwn(value, f));
      if (missing.length > 0) {
        throw new BallastError(
          'ValidationException',
          `Parameter Event is not valid. Reason: missing ${missing.map((m) => `"${m}"`).join(', ')} (required: ${REQUIRED_ENVELOPE_FIELDS.join(', ')})`,
        );
      }
    }
    this.walker.walk(value);
  }

  /** Whether `branch` holds in the walked event. */
  branchHolds(branch: Branch): boolean | undefined {
    return holdsTogether(
      this.walker,
      branch.conditions.map((c) => this.check(c)),
    );
  }
}

/**
 * Whether `event` matches `pattern`, as AWS TestEventPattern answers. Both may be JSON text or
 * parsed values (or `pattern` a `ParsedPattern`). Throws `InvalidEventPatternException` for a bad
 * pattern and `ValidationException` for an event that is not a JSON object, lacks the envelope
 * fields (see `TestEventOptions.requireEnvelope`) or nests deeper than the limit.
 */
export function testEventPattern(
  pattern: string | object,
  event: unknown,
  options: TestEventOptions = {},
): boolean {
  const ev = new Evaluation(pattern, options);
  ev.walk(event, options.requireEnvelope ?? true);
  return ev.pattern.branches.some((b) => ev.branchHolds(b) === true);
}
