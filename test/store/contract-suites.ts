/**
 * Runs the shared contract suites against one driver, per feature store: a suite runs when the
 * driver offers its feature (as the registry declares it), and is registered SKIPPED, with the
 * reason in its name, when the driver does not. Each driver's test file calls this once.
 */
import { describe } from 'vitest';
import { type AnyStore, type FeatureName, requireFeatures } from '../../src/store/contract.js';
import { driverFor } from '../../src/store/registry.js';
import type { FakeClock } from '../../src/testing/fake-clock.js';
import type { DiskFaults } from '../helpers/disk.js';
import { busContract } from './bus-contract.suite.js';
import { storeContract } from './contract.suite.js';
import { idempotencyContract } from './idempotency-contract.suite.js';

/** A driver as the suites see it. */
export interface DriverUnderTest {
  /** A URL of the driver (only its scheme is read: it names the driver and its features). */
  readonly url: string;
  /** Opens a fresh, empty store whose time comes from `clock`. */
  readonly open: (clock: FakeClock) => Promise<AnyStore>;
  /** Simulates a full disk (the outage tests skip without it). */
  readonly faults?: DiskFaults;
  /** The idempotency store runs work inside its own transaction (`completeInTransaction`). */
  readonly transactional: boolean;
}

/** Registers every contract suite for `driver`: run for the features it offers, skipped with the reason for the others. */
export function contractSuites(driver: DriverUnderTest): void {
  const { name, features } = driverFor(driver.url);
  const suite = (feature: FeatureName, register: () => void): void => {
    if (features.includes(feature)) register();
    else
      describe.skip(
        `${feature} store contract: ${name} (skipped: the ${name} driver does not offer ${feature})`,
        register,
      );
  };
  // Opened only when the suite runs, i.e. when the driver offers the features.
  const open =
    <F extends FeatureName>(wanted: readonly F[]) =>
    async (clock: FakeClock) =>
      requireFeatures(await driver.open(clock), wanted);
  suite('queues', () => storeContract(name, open(['queues', 'bus', 'idempotency']), driver.faults));
  suite('bus', () => busContract(name, open(['queues', 'bus', 'idempotency'])));
  suite('idempotency', () =>
    idempotencyContract(name, open(['idempotency']), { transactional: driver.transactional }),
  );
}
