import type { Clock } from '../core/clock.js';
import type { Store } from '../store/contract.js';
import type { BusLimits } from './limits.js';
import { type CompiledBus, compileBuses } from './runtime.js';
import type { ArnScope } from './targets.js';

/**
 * One node's compiled view of buses, rules and archives. `current()` checks the store's rules
 * version (one cheap read, at most every `checkEveryMs`) and recompiles when it moved, so a
 * rule put on any node applies to events dispatched after that check.
 */
export class BusState {
  readonly #store: Store;
  readonly #scope: ArnScope;
  readonly #limits: BusLimits;
  readonly #clock: Clock;
  readonly #checkEveryMs: number;
  #compiled: { version: number; buses: Map<number, CompiledBus> } | null = null;
  #checkedAt = -Infinity;
  #loading: Promise<Map<number, CompiledBus>> | null = null;

  /** @param checkEveryMs - how long a version check is trusted, ms. @defaultValue 0 (check on every call) */
  constructor(store: Store, scope: ArnScope, limits: BusLimits, clock: Clock, checkEveryMs = 0) {
    this.#store = store;
    this.#scope = scope;
    this.#limits = limits;
    this.#clock = clock;
    this.#checkEveryMs = checkEveryMs;
  }

  /** Compiled buses by id, fresh as of the last version check. */
  current(): Promise<Map<number, CompiledBus>> {
    return (this.#loading ??= this.#refresh().finally(() => (this.#loading = null)));
  }

  /** The rules version the current compiled view was built from (-1 before the first load). */
  get version(): number {
    return this.#compiled?.version ?? -1;
  }

  /** Forgets the compiled view (after a local change, so the next call reloads). */
  invalidate(): void {
    this.#checkedAt = -Infinity;
  }

  async #refresh(): Promise<Map<number, CompiledBus>> {
    const now = this.#clock.now();
    if (this.#compiled && now - this.#checkedAt < this.#checkEveryMs) return this.#compiled.buses;
    const version = await this.#store.bus.rulesVersion();
    this.#checkedAt = now;
    if (this.#compiled?.version === version) return this.#compiled.buses;
    this.#compiled = await compileBuses(this.#store, this.#scope, this.#limits);
    return this.#compiled.buses;
  }
}
