/**
 * Walking an event along a trie of the paths patterns name. Only keys the trie knows are
 * followed, so fields no pattern names cost one map lookup at most and their subtrees nothing.
 * Leaves (strings, numbers, booleans, null) are recorded per path with their scope, for
 * verification and array consistency; subclasses hook `onLeaf` to probe value indexes.
 */
import { BallastError } from '../core/errors.js';
import { ScopeTables } from './scopes.js';
import type { JsonLeaf } from './types.js';

/** One path of the trie. `X` is what the owner hangs on it (the matcher: its value index). */
export class PathNode<X = unknown> {
  /** Child paths by key segment. */
  children: Map<string, PathNode<X>> | null = null;
  /** Conditions naming exactly this path; leaves are recorded only where it is above 0. */
  fields = 0;
  /** The owner's data for this path. */
  data: X | null = null;
  /** Walk that last recorded leaves here, and how many. */
  epoch = -1;
  count = 0;
  readonly values: JsonLeaf[] = [];
  readonly scopes: number[] = [];

  constructor(
    /** The joined path (`detail.state`; '' for the root). */
    readonly path: string,
    readonly parent: PathNode<X> | null,
    readonly segment: string,
  ) {}
}

/** The paths patterns name, as a trie of `.`-separated segments. */
export class PathTrie<X = unknown> {
  readonly root = new PathNode<X>('', null, '');

  /** The node for `segments`, created as needed, with one more field naming it. */
  acquire(segments: readonly string[]): PathNode<X> {
    let node = this.root;
    for (const seg of segments) {
      node.children ??= new Map();
      let child = node.children.get(seg);
      if (!child) {
        child = new PathNode<X>(node === this.root ? seg : `${node.path}.${seg}`, node, seg);
        node.children.set(seg, child);
      }
      node = child;
    }
    node.fields++;
    return node;
  }

  /** One field fewer names `node`; unused nodes are pruned. */
  release(node: PathNode<X>): void {
    node.fields--;
    let n: PathNode<X> | null = node;
    while (
      n &&
      n.parent &&
      n.fields === 0 &&
      (!n.children || n.children.size === 0) &&
      n.data === null
    ) {
      n.parent.children!.delete(n.segment);
      n = n.parent;
    }
  }
}

/** Reads an event given as JSON text or as a value; the result must be a JSON object. */
export function readEvent(event: unknown): Record<string, unknown> {
  let value = event;
  if (typeof event === 'string') {
    try {
      value = JSON.parse(event);
    } catch (e) {
      throw new BallastError(
        'ValidationException',
        `Parameter Event is not valid. Reason: not JSON (${(e as Error).message})`,
      );
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BallastError(
      'ValidationException',
      'Parameter Event is not valid. Reason: an event must be a JSON object',
    );
  }
  return value as Record<string, unknown>;
}

/** Walks events over one trie; reuse it for every event (its tables are recycled). */
export class EventWalker<X = unknown> {
  readonly scopes = new ScopeTables();
  /** Increments per walk; a node's leaves belong to this walk when its epoch equals it. */
  epoch = 0;
  /** Whether this walk recorded any leaf outside scope 0 (inside an object in an array). */
  nested = false;

  constructor(
    readonly trie: PathTrie<X>,
    private readonly maxDepth: number,
  ) {}

  /** Walks one event (already read); afterwards `leafCount(node)` and the node's arrays hold its leaves. */
  walk(event: Record<string, unknown>): void {
    this.epoch++;
    this.nested = false;
    this.scopes.reset();
    this.object(event, this.trie.root, 0, 1);
  }

  /** How many leaves `node` got in the current walk. */
  leafCount(node: PathNode<X>): number {
    return node.epoch === this.epoch ? node.count : 0;
  }

  /** Records a leaf; subclasses extend it. */
  protected onLeaf(node: PathNode<X>, value: JsonLeaf, scope: number): void {
    if (node.epoch !== this.epoch) {
      node.epoch = this.epoch;
      node.count = 0;
    }
    node.values[node.count] = value;
    node.scopes[node.count] = scope;
    node.count++;
    if (scope !== 0) this.nested = true;
  }

  private object(
    obj: Record<string, unknown>,
    node: PathNode<X>,
    scope: number,
    depth: number,
  ): void {
    const children = node.children;
    if (!children) return;
    for (const key of Object.keys(obj)) {
      const child = children.get(key) ?? (key.includes('.') ? dotted(node, key) : undefined);
      if (child) this.value(obj[key], child, scope, depth + 1);
    }
  }

  private value(v: unknown, node: PathNode<X>, scope: number, depth: number): void {
    if (typeof v === 'object' && v !== null) {
      if (depth > this.maxDepth) {
        throw new BallastError(
          'ValidationException',
          `Parameter Event is not valid. Reason: nested deeper than ${this.maxDepth} levels at ${node.path}`,
        );
      }
      if (Array.isArray(v)) this.array(v, node, scope, depth);
      else this.object(v as Record<string, unknown>, node, scope, depth);
    } else if (
      node.fields > 0 &&
      (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null)
    ) {
      this.onLeaf(node, v, scope);
    }
  }

  private array(items: unknown[], node: PathNode<X>, scope: number, depth: number): void {
    let id = -1;
    for (const item of items) {
      if (typeof item === 'object' && item !== null) {
        // An object where no pattern looks further holds nothing to record.
        if (node.children === null && !Array.isArray(item)) continue;
        if (id < 0) id = this.scopes.openArray();
        this.value(item, node, this.scopes.openElement(scope, id), depth + 1);
      } else {
        this.value(item, node, scope, depth);
      }
    }
  }
}

/** Follows a dotted event key (`"state.status"`) segment by segment. */
function dotted<X>(node: PathNode<X>, key: string): PathNode<X> | undefined {
  let n: PathNode<X> | undefined = node;
  for (const seg of key.split('.')) {
    n = n.children?.get(seg);
    if (!n) return undefined;
  }
  return n;
}
