/** `ballast/bus`: the subpath names what `ballast.bus` hands out, and a function target typed with its names delivers. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Ballast } from '../../src/ballast.js';
import {
  DEFAULT_BUS,
  DeliveryError,
  EventBuses,
  type FunctionTarget,
  type PutEventsEntry,
} from '../../src/bus/index.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { openTestBallast } from '../helpers/ballast.js';

describe('ballast/bus', () => {
  let b: Ballast | undefined;
  afterEach(() => b?.close());

  it('ballast.bus is the EventBuses the subpath exports, and its types describe a working function target', async () => {
    b = await openTestBallast({ clock: new FakeClock(), bus: { background: false } });
    expect(b.bus).toBeInstanceOf(EventBuses);
    expect(new DeliveryError('HANDLER_ERROR', 'no', false).retryable).toBe(false);
    const seen: unknown[] = [];
    const fn: FunctionTarget = (event) => void seen.push(event.detail);
    b.bus.registerFunction('collect', fn);
    await b.bus.putRule('all', { eventPattern: { source: ['shop'] } });
    await b.bus.putTargets('all', [{ id: 'fn', arn: b.bus.functionArn('collect') }]);
    const entry: PutEventsEntry = {
      source: 'shop',
      detailType: 'OrderPlaced',
      detail: '{"n":1}',
      eventBusName: DEFAULT_BUS,
    };
    expect((await b.bus.putEvents([entry])).failedEntryCount).toBe(0);
    await b.bus.dispatchOnce();
    await b.bus.deliverOnce();
    expect(seen).toEqual([{ n: 1 }]);
  });
});
