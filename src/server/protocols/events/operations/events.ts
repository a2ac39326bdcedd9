import type { PutEventsEntry } from '../../../../bus/envelope.js';
import { testEventPattern } from '../../../../patterns/index.js';
import { compact } from '../../aws/output.js';
import {
  optString,
  optStringList,
  reqObjectList,
  reqString,
  type WireObject,
} from '../../aws/input.js';
import type { EventsOperation } from '../context.js';
import { optTime, refuseMember } from '../wire.js';

/** Publishing and pattern testing: PutEvents, TestEventPattern. */

/** One `PutEventsRequestEntry` → library entry. Members are type-checked here; their rules (and per-entry failures) are the library's. */
function entryFromWire(o: WireObject, i: number): PutEventsEntry {
  const at = `Entries[${i}]`;
  const time = optTime(o, 'Time', `${at}.Time`);
  return compact({
    source: optString(o, 'Source', `${at}.Source`),
    detailType: optString(o, 'DetailType', `${at}.DetailType`),
    detail: optString(o, 'Detail', `${at}.Detail`),
    resources: optStringList(o, 'Resources', `${at}.Resources`),
    time: time === undefined ? undefined : new Date(time),
    eventBusName: optString(o, 'EventBusName', `${at}.EventBusName`),
    traceHeader: optString(o, 'TraceHeader', `${at}.TraceHeader`),
  });
}

const putEvents: EventsOperation = async (input, ctx) => {
  refuseMember(input, 'EndpointId', 'Ballast has no global endpoints; send to the bus directly.');
  const entries = reqObjectList(input, 'Entries').map(entryFromWire);
  const result = await ctx.ballast.bus.putEvents(entries);
  return {
    FailedEntryCount: result.failedEntryCount,
    Entries: result.entries.map((e) =>
      'eventId' in e
        ? { EventId: e.eventId }
        : { ErrorCode: e.errorCode, ErrorMessage: e.errorMessage },
    ),
  };
};

const testPattern: EventsOperation = async (input) => {
  const pattern = reqString(input, 'EventPattern');
  const event = reqString(input, 'Event');
  // The pattern engine checks the envelope fields AWS requires (ValidationException) and the pattern (InvalidEventPatternException).
  return { Result: testEventPattern(pattern, event) };
};

/** Operations of this group by name. */
export const EVENT_OPERATIONS: Readonly<Record<string, EventsOperation>> = {
  PutEvents: putEvents,
  TestEventPattern: testPattern,
};
