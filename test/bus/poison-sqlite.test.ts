import { describe, expect, it } from 'vitest';
import { openBallast } from '../../src/ballast.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/contract.js';
import type { BusStore } from '../../src/store/bus-contract.js';
import { openTestBallast, tempDbPath } from '../helpers/ballast.js';
import { poisonSuite } from './poison.suite.js';

poisonSuite(() => openTestBallast({ bus: { background: false } }));

/** The real store, whose dispatch fails (as a write the database refuses would) whenever a batch holds an event whose body contains `marker`. */
function failingOn(store: Store, marker: string): Store {
  const bus = new Proxy(store.bus, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (key !== 'dispatch')
        return typeof value === 'function'
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      const dispatch: BusStore['dispatch'] = (batch, plan) =>
        target.dispatch(batch, (events, now, version, cut) => {
          const writes = plan(events, now, version, cut);
          if (events.some((e) => e.body.includes(marker)))
            throw new Error('CHECK constraint failed (injected)');
          return writes;
        });
      return dispatch;
    },
  });
  return new Proxy(store, {
    get: (target, key) => {
      if (key === 'bus') return bus;
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

describe('an event whose dispatch fails in the store (not in matching) is isolated and parked', () => {
  it('the batch is retried one event at a time; the event that fails alone twice is parked; the others are delivered', async () => {
    const store = failingOn(await openStore(`sqlite:${tempDbPath()}`), 'explode');
    const b = await openBallast({
      store,
      retentionSweepMs: 0,
      statsTtlMs: 0,
      bus: { background: false },
    });
    try {
      await b.queues.create('sink');
      await b.bus.putRule('all', { eventPattern: { source: ['shop'] } });
      await b.bus.putTargets('all', [{ id: 'q', arn: b.queues.arn('sink') }]);
      const errors: unknown[] = [];
      b.bus.events.on('bus:error', (e) => errors.push(e.error));
      const parked: string[] = [];
      b.bus.events.on('dispatch:parked', (e) => parked.push(e.code));
      const r = await b.bus.putEvents(
        [1, 2, 'explode', 4].map((n) => ({
          source: 'shop',
          detailType: 'T',
          detail: JSON.stringify({ n }),
        })),
      );
      for (let i = 0; i < 10 && (await b.bus.dispatchOnce()) > 0; i++);
      const q = await b.queues.get('sink');
      const got = (await q.receive({ maxMessages: 10 })).map(
        (m) => (JSON.parse(m.body) as { detail: { n: unknown } }).detail.n,
      );
      expect(got.sort()).toEqual([1, 2, 4]);
      expect(parked).toEqual(['InternalError']);
      const bad = r.entries[2] as { eventId: string };
      expect((await b.bus.trace(bad.eventId))?.dispatchError?.message).toMatch(
        /CHECK constraint failed/,
      );
      expect(errors.length).toBeGreaterThan(0); // the failed batch was reported, not swallowed
    } finally {
      await b.close();
    }
  });
});
