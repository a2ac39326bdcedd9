import type { WakeListener } from '../contract.js';

/** In-process wake-ups per queue id; drivers fire them after a commit that made messages available. */
export class WakeHub {
  #listeners = new Map<number, Set<WakeListener>>();

  /** Registers a listener; returns its unsubscribe function. */
  on(queueId: number, listener: WakeListener): () => void {
    let set = this.#listeners.get(queueId);
    if (!set) this.#listeners.set(queueId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(queueId);
    };
  }

  /** Calls every listener of the queue; a throwing listener cannot stop the others. */
  fire(queueId: number): void {
    const set = this.#listeners.get(queueId);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener();
      } catch {
        // A listener's own failure is its business; wake-ups are hints, never required.
      }
    }
  }
}
