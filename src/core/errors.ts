/**
 * Errors are data: every failure that crosses a public boundary is a `BallastError` with a
 * stable string `code`, an HTTP status and (for SQS-facing codes) the AWS error shape.
 */

/** Every stable error code Ballast emits. Codes never change meaning once released. */
export type BallastErrorCode =
  | 'QueueDoesNotExist'
  | 'QueueNameExists'
  | 'QueueDeletedRecently'
  | 'PurgeQueueInProgress'
  | 'ReceiptHandleIsInvalid'
  | 'MessageNotInflight'
  | 'TooManyEntriesInBatchRequest'
  | 'EmptyBatchRequest'
  | 'BatchEntryIdsNotDistinct'
  | 'BatchRequestTooLong'
  | 'InvalidBatchEntryId'
  | 'UnsupportedOperation'
  | 'ResourceNotFoundException'
  | 'InvalidAddress'
  | 'InvalidSecurity'
  | 'InvalidAttributeName'
  | 'InvalidAttributeValue'
  | 'InvalidIdFormat'
  | 'InvalidMessageContents'
  | 'InvalidParameterValue'
  | 'OverLimit'
  | 'RequestThrottled'
  | 'MissingParameter'
  | 'AccessDenied'
  // SigV4 failures, named as AWS names them (the EventBridge path renames them to its JSON 1.1 names)
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'InvalidClientTokenId'
  | 'SignatureDoesNotMatch'
  | 'InvalidAction'
  | 'SerializationException'
  | 'RequestEntityTooLarge'
  | 'RequestTimeout'
  | 'StoreUnavailable'
  | 'InvalidStoreUrl'
  | 'Closed'
  | 'InternalError'
  // EventBridge (reference/eventbridge.md §9)
  | 'InvalidEventPatternException'
  | 'ResourceAlreadyExistsException'
  | 'LimitExceededException'
  | 'IllegalStatusException'
  | 'InvalidStateException'
  | 'ValidationException'
  | 'ConcurrentModificationException'
  | 'ManagedRuleException'
  | 'PolicyLengthExceededException'
  // Idempotency (reference/idempotency.md): the IETF draft's 409 and 422
  | 'IdempotencyKeyReused'
  | 'IdempotencyInProgress'
  | 'IdempotencyLeaseLost'
  // Interactions (reference/constant-work-and-resilience.md): a call refused without being made
  | 'CircuitOpen'
  | 'DeadlineExceeded';

/** How one code presents itself over HTTP and to AWS SDKs. */
export interface ErrorShape {
  /** HTTP status the server answers with. */
  readonly status: number;
  /** AWS query-compatible code (the `x-amzn-query-error` header), when SQS models one. */
  readonly queryCode: string;
  /** `Sender` for the caller's fault, `Receiver` for ours. */
  readonly fault: 'Sender' | 'Receiver';
  /** Namespace used in the `__type` field of the JSON body. */
  readonly namespace: string;
}

const sqs = 'com.amazonaws.sqs';
const coral = 'com.amazon.coral.service';
const events = 'com.amazonaws.events';
const prefixed = (code: string): string => `AWS.SimpleQueueService.${code}`;
const sender = (status: number, queryCode: string, namespace = sqs): ErrorShape => ({
  status,
  queryCode,
  fault: 'Sender',
  namespace,
});

/** One map from code to HTTP status and AWS error shape (see reference/sqs.md §7.4). */
export const ERROR_SHAPES: Readonly<Record<BallastErrorCode, ErrorShape>> = {
  QueueDoesNotExist: sender(400, prefixed('NonExistentQueue')),
  QueueNameExists: sender(400, 'QueueAlreadyExists'),
  QueueDeletedRecently: sender(400, prefixed('QueueDeletedRecently')),
  PurgeQueueInProgress: sender(403, prefixed('PurgeQueueInProgress')),
  ReceiptHandleIsInvalid: sender(404, 'ReceiptHandleIsInvalid'),
  MessageNotInflight: sender(400, prefixed('MessageNotInflight')),
  TooManyEntriesInBatchRequest: sender(400, prefixed('TooManyEntriesInBatchRequest')),
  EmptyBatchRequest: sender(400, prefixed('EmptyBatchRequest')),
  BatchEntryIdsNotDistinct: sender(400, prefixed('BatchEntryIdsNotDistinct')),
  BatchRequestTooLong: sender(400, prefixed('BatchRequestTooLong')),
  InvalidBatchEntryId: sender(400, prefixed('InvalidBatchEntryId')),
  UnsupportedOperation: sender(400, prefixed('UnsupportedOperation')),
  ResourceNotFoundException: sender(404, 'ResourceNotFoundException'),
  InvalidAddress: sender(404, 'InvalidAddress'),
  InvalidSecurity: sender(403, 'InvalidSecurity'),
  InvalidAttributeName: sender(400, 'InvalidAttributeName'),
  InvalidAttributeValue: sender(400, 'InvalidAttributeValue'),
  InvalidIdFormat: sender(400, 'InvalidIdFormat'),
  InvalidMessageContents: sender(400, 'InvalidMessageContents'),
  InvalidParameterValue: sender(400, 'InvalidParameterValue', coral),
  OverLimit: sender(403, 'OverLimit'),
  // The server sheds load (`maxConcurrentRequests`): 503, SQS's throttling code, retried by every SDK.
  RequestThrottled: {
    status: 503,
    queryCode: 'RequestThrottled',
    fault: 'Receiver',
    namespace: sqs,
  },
  MissingParameter: sender(400, 'MissingParameter', coral),
  AccessDenied: sender(403, 'AccessDenied', coral),
  // Statuses as AWS's common errors list them.
  MissingAuthenticationToken: sender(403, 'MissingAuthenticationToken', coral),
  IncompleteSignature: sender(400, 'IncompleteSignature', coral),
  InvalidClientTokenId: sender(403, 'InvalidClientTokenId', coral),
  SignatureDoesNotMatch: sender(403, 'SignatureDoesNotMatch', coral),
  InvalidAction: sender(400, 'InvalidAction', coral),
  SerializationException: sender(400, 'SerializationException', coral),
  RequestEntityTooLarge: sender(413, 'RequestEntityTooLarge', coral),
  // The body stopped arriving (request timeout, or the client went away): 408 is what Node answered.
  RequestTimeout: sender(408, 'RequestTimeout', coral),
  StoreUnavailable: {
    status: 503,
    queryCode: 'ServiceUnavailable',
    fault: 'Receiver',
    namespace: coral,
  },
  InvalidStoreUrl: sender(400, 'InvalidStoreUrl', 'ballast'),
  Closed: { status: 503, queryCode: 'ServiceUnavailable', fault: 'Receiver', namespace: 'ballast' },
  InternalError: { status: 500, queryCode: 'InternalError', fault: 'Receiver', namespace: coral },
  InvalidEventPatternException: sender(400, 'InvalidEventPatternException', events),
  ResourceAlreadyExistsException: sender(400, 'ResourceAlreadyExistsException', events),
  LimitExceededException: sender(400, 'LimitExceededException', events),
  IllegalStatusException: sender(400, 'IllegalStatusException', events),
  InvalidStateException: sender(400, 'InvalidStateException', events),
  ValidationException: sender(400, 'ValidationException', events),
  ConcurrentModificationException: sender(400, 'ConcurrentModificationException', events),
  ManagedRuleException: sender(400, 'ManagedRuleException', events),
  PolicyLengthExceededException: sender(400, 'PolicyLengthExceededException', events),
  IdempotencyKeyReused: sender(422, 'IdempotencyKeyReused', 'ballast'),
  IdempotencyInProgress: sender(409, 'IdempotencyInProgress', 'ballast'),
  IdempotencyLeaseLost: {
    status: 409,
    queryCode: 'IdempotencyLeaseLost',
    fault: 'Receiver',
    namespace: 'ballast',
  },
  CircuitOpen: { status: 503, queryCode: 'CircuitOpen', fault: 'Receiver', namespace: 'ballast' },
  DeadlineExceeded: {
    status: 504,
    queryCode: 'DeadlineExceeded',
    fault: 'Receiver',
    namespace: 'ballast',
  },
};

const brand = Symbol.for('ballast.error');

/** The one error type Ballast throws across public boundaries. */
export class BallastError extends Error {
  /** Stable machine-readable code. */
  readonly code: BallastErrorCode;
  readonly [brand] = true;

  constructor(code: BallastErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BallastError';
    this.code = code;
  }

  /** HTTP status and AWS shape for this error. */
  get shape(): ErrorShape {
    return ERROR_SHAPES[this.code];
  }
}

/** Brand guard that works across module copies (unlike `instanceof`). */
export function isBallastError(value: unknown): value is BallastError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/** Throws `InvalidParameterValue` unless `condition` holds. */
export function check(
  condition: unknown,
  message: string,
  code: BallastErrorCode = 'InvalidParameterValue',
): asserts condition {
  if (!condition) throw new BallastError(code, message);
}
