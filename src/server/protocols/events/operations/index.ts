import type { EventsOperation } from '../context.js';
import { API_DESTINATION_OPERATIONS } from './api-destinations.js';
import { ARCHIVE_OPERATIONS } from './archives.js';
import { BUS_OPERATIONS } from './buses.js';
import { CONNECTION_OPERATIONS } from './connections.js';
import { EVENT_OPERATIONS } from './events.js';
import { PERMISSION_OPERATIONS } from './permissions.js';
import { REPLAY_OPERATIONS } from './replays.js';
import { RULE_OPERATIONS } from './rules.js';
import { TAG_OPERATIONS } from './tags.js';
import { TARGET_OPERATIONS } from './targets.js';
import { UNSUPPORTED_OPERATIONS } from './unsupported.js';

/** The EventBridge operations the server answers, by `X-Amz-Target` suffix (`AWSEvents.<name>`). */
export const SUPPORTED_EVENTS_OPERATIONS: Readonly<Record<string, EventsOperation>> = {
  ...EVENT_OPERATIONS,
  ...RULE_OPERATIONS,
  ...TARGET_OPERATIONS,
  ...BUS_OPERATIONS,
  ...ARCHIVE_OPERATIONS,
  ...REPLAY_OPERATIONS,
  ...CONNECTION_OPERATIONS,
  ...API_DESTINATION_OPERATIONS,
  ...PERMISSION_OPERATIONS,
  ...TAG_OPERATIONS,
};

/** Every operation of the EventBridge model: the supported ones plus those refused with OperationDisabledException. */
export const EVENTS_OPERATIONS: ReadonlyMap<string, EventsOperation> = new Map(
  Object.entries({ ...UNSUPPORTED_OPERATIONS, ...SUPPORTED_EVENTS_OPERATIONS }),
);
