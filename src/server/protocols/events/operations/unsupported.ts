import type { EventsOperation } from '../context.js';
import { EventsProtocolError } from '../errors.js';

/**
 * EventBridge operations of the API model that Ballast does not answer (yet). They get a clear
 * `OperationDisabledException` (HTTP 400, a modeled EventBridge error) naming why, instead of
 * UnknownOperationException, so a client can tell "not here yet" from a typo.
 */

const WHY: Readonly<Record<string, string>> = {
  // Deauthorizing needs a connection state that delivery honours (calls failing until re-authorized); Ballast has none.
  DeauthorizeConnection:
    'DeauthorizeConnection is not available on this Ballast server: its connections stay authorized; change the credentials with UpdateConnection or remove the connection with DeleteConnection.',
  ...Object.fromEntries(
    ['CreateEndpoint', 'DescribeEndpoint', 'UpdateEndpoint', 'DeleteEndpoint', 'ListEndpoints'].map(
      (op) => [op, `${op}: Ballast has no global endpoints.`],
    ),
  ),
  ...Object.fromEntries(
    [
      'ActivateEventSource',
      'DeactivateEventSource',
      'DescribeEventSource',
      'ListEventSources',
      'CreatePartnerEventSource',
      'DeletePartnerEventSource',
      'DescribePartnerEventSource',
      'ListPartnerEventSources',
      'ListPartnerEventSourceAccounts',
      'PutPartnerEvents',
    ].map((op) => [op, `${op}: Ballast has no partner event sources.`]),
  ),
};

/** Every model operation Ballast refuses, by name, with the refusal. */
export const UNSUPPORTED_OPERATIONS: Readonly<Record<string, EventsOperation>> = Object.fromEntries(
  Object.entries(WHY).map(([op, why]) => [
    op,
    async () => {
      throw new EventsProtocolError('OperationDisabledException', why);
    },
  ]),
);
