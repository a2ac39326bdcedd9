import type { Store } from '../store/contract.js';
import type { ServerLogger } from './options.js';

/**
 * Follows the store's write condition for the server: logs each outage once when it starts
 * (`error`, with the driver's code) and once when it ends (`info`, with its duration), and
 * while writes fail probes the store every `probeMs` (`Store.probeWrite`), so the condition,
 * `/healthz` and `ballast_store_available` recover with no traffic and no health checker.
 * Returns the function that stops it; idempotent.
 *
 * @param probeMs - interval of write probes during an outage, ms; 0 turns them off.
 */
export function watchStore(store: Store, logger: ServerLogger, probeMs: number): () => void {
  let timer: NodeJS.Timeout | null = null;
  const stopProbing = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  const startProbing = (): void => {
    if (probeMs <= 0 || timer !== null) return;
    // A failed probe is already recorded in the condition; nothing else to do with it.
    timer = setInterval(() => void store.probeWrite().catch(() => undefined), probeMs);
    // Probing alone must never keep the process alive.
    timer.unref();
  };
  const off = store.onCondition((event) => {
    if (event.type === 'failure') {
      if (!event.started) return;
      logger.error(
        {
          event: 'store:outage',
          code: event.code,
          reason: event.reason,
          since: new Date(event.condition.since).toISOString(),
        },
        `store outage started: ${event.reason}`,
      );
      startProbing();
      return;
    }
    stopProbing();
    logger.info(
      {
        event: 'store:recovered',
        code: event.outage.code,
        reason: event.outage.reason,
        durationMs: event.durationMs,
      },
      'store outage ended: writes succeed again',
    );
  });
  // An outage that began before the server started is probed too (and logged when it ends).
  if (!store.condition().writable) startProbing();
  return () => {
    off();
    stopProbing();
  };
}
