import type { DeliveryAttempt } from '../../bus-contract.js';
import { MAX_HISTORY } from '../../shared/bus-rows.js';

/** Appends an attempt to a history kept to the newest MAX_HISTORY. */
export function appendHistory(history: string, attempt: DeliveryAttempt): string {
  const list = JSON.parse(history) as DeliveryAttempt[];
  list.push(attempt);
  return JSON.stringify(list.slice(-MAX_HISTORY));
}
