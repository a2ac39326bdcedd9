import type { Store } from '../store/contract.js';
import type { BusLimits } from './limits.js';
import { type CompiledBus, compileBuses } from './runtime.js';
import type { ArnScope } from './targets.js';

/** A compiled view and the rules version it was built from. */
export interface BusView {
  readonly version: number;
  readonly buses: Map<number, CompiledBus>;
}

/**
 * One node's compiled view of buses, rules and archives. `current()` checks the store's rules
 * version (one cheap read) and recompiles when it moved; dispatch uses `cached()` and checks the
 * version inside its own transaction instead.
 */
export class BusState {
  readonly #store: Store;
  readonly #scope: ArnScope;
  readonly #limits: BusLimits;
  #compiled: BusView | null = null;
  #loading: Promise<BusView> | null = null;

  constructor(store: Store, scope: ArnScope, limits: BusLimits) {
    this.#store = store;
    this.#scope = scope;
    this.#limits = limits;
  }

  /** Compiled buses by id, fresh as of a version check made now. */
  async current(): Promise<Map<number, CompiledBus>> {
    return (await this.checked()).buses;
  }

  /** The compiled view after a version check, with the version it was built from. */
  checked(): Promise<BusView> {
    return (this.#loading ??= this.#refresh().finally(() => (this.#loading = null)));
  }

  /** The compiled view as it is, without asking the store; loads it the first time. */
  async cached(): Promise<BusView> {
    return this.#compiled ?? this.checked();
  }

  async #refresh(): Promise<BusView> {
    const version = await this.#store.bus.rulesVersion();
    if (this.#compiled?.version !== version)
      this.#compiled = await compileBuses(this.#store, this.#scope, this.#limits);
    return this.#compiled;
  }
}
