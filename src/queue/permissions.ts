import { BallastError, check } from '../core/errors.js';

/**
 * AddPermission / RemovePermission: statements in a queue's `Policy` attribute, built as SQS
 * builds them. Ballast stores and returns the policy but never enforces it.
 */

/** One AddPermission grant. */
export interface QueuePermission {
  /** Statement id: 1–80 characters of `[A-Za-z0-9_-]`, unique in the queue's policy. */
  readonly label: string;
  /** 12-digit account ids of the principals (at least one). */
  readonly accountIds: readonly string[];
  /** SQS action names without the `SQS:` prefix, or `*` (1 to 7). */
  readonly actions: readonly string[];
}

/** Most actions one AddPermission statement may carry (SQS's limit). */
export const MAX_PERMISSION_ACTIONS = 7;

// The queue-level actions a grant may name; SQS refuses account-level ones (CreateQueue, ListQueues).
const QUEUE_ACTIONS = new Set([
  '*',
  'ChangeMessageVisibility',
  'DeleteMessage',
  'GetQueueAttributes',
  'GetQueueUrl',
  'ListDeadLetterSourceQueues',
  'ListQueueTags',
  'PurgeQueue',
  'ReceiveMessage',
  'SendMessage',
  'SetQueueAttributes',
  'TagQueue',
  'UntagQueue',
  'DeleteQueue',
  'StartMessageMoveTask',
  'CancelMessageMoveTask',
  'ListMessageMoveTasks',
]);

interface PolicyDocument {
  Version?: unknown;
  Id?: unknown;
  Statement?: unknown;
  [key: string]: unknown;
}

const invalidLabel = (label: string, why: string): BallastError =>
  new BallastError(
    'InvalidParameterValue',
    `Value ${label} for parameter Label is invalid. Reason: ${why}`,
  );

/** Checks a label's form (`InvalidParameterValue`). */
export function checkLabel(label: string): void {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(label))
    throw invalidLabel(
      label,
      'Must be 1 to 80 characters: letters, digits, hyphens (-) and underscores (_).',
    );
}

/** The statements of a stored policy (text or null), as an array, and the document around them. */
function parse(policy: string | null): { doc: PolicyDocument; statements: unknown[] } {
  if (policy === null) return { doc: {}, statements: [] };
  const doc = JSON.parse(policy) as PolicyDocument;
  const s = doc.Statement;
  return { doc, statements: s === undefined ? [] : Array.isArray(s) ? [...s] : [s] };
}

const sidOf = (statement: unknown): unknown =>
  typeof statement === 'object' && statement !== null
    ? (statement as { Sid?: unknown }).Sid
    : undefined;

/** One value, or an array of several (as SQS writes Principal and Action). */
const oneOrMany = (values: readonly string[]): string | string[] =>
  values.length === 1 ? values[0]! : [...values];

/**
 * The policy with one more statement (Sid = label, Allow, the accounts' root principals, the
 * `SQS:` actions, the queue) — a new document (Version 2012-10-17, Id `<arn>/SQSDefaultPolicy`)
 * when the queue had none. Duplicate label → `InvalidParameterValue`; more than 7 actions → `OverLimit`.
 */
export function addPermission(
  policy: string | null,
  queueArn: string,
  grant: QueuePermission,
): string {
  checkLabel(grant.label);
  check(grant.accountIds.length > 0, 'The request must contain the parameter AWSAccountIds.');
  for (const id of grant.accountIds)
    check(
      /^\d{12}$/.test(id),
      `Value ${id} for parameter AWSAccountIds is invalid. Reason: An account id is 12 digits.`,
    );
  check(grant.actions.length > 0, 'The request must contain the parameter Actions.');
  if (grant.actions.length > MAX_PERMISSION_ACTIONS)
    throw new BallastError(
      'OverLimit',
      `${grant.actions.length} actions were found, maximum allowed is ${MAX_PERMISSION_ACTIONS}.`,
    );
  for (const a of grant.actions)
    check(
      QUEUE_ACTIONS.has(a),
      `Value SQS:${a} for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions.`,
    );
  const { doc, statements } = parse(policy);
  if (statements.some((s) => sidOf(s) === grant.label))
    throw invalidLabel(grant.label, 'Already exists.');
  statements.push({
    Sid: grant.label,
    Effect: 'Allow',
    Principal: { AWS: oneOrMany(grant.accountIds.map((id) => `arn:aws:iam::${id}:root`)) },
    Action: oneOrMany(grant.actions.map((a) => `SQS:${a}`)),
    Resource: queueArn,
  });
  return JSON.stringify({
    Version: doc.Version ?? '2012-10-17',
    Id: doc.Id ?? `${queueArn}/SQSDefaultPolicy`,
    ...doc,
    Statement: statements,
  });
}

/**
 * The policy without the statement of this label; null when none is left. A label the policy
 * does not hold → `InvalidParameterValue`.
 */
export function removePermission(policy: string | null, label: string): string | null {
  const { doc, statements } = parse(policy);
  const kept = statements.filter((s) => sidOf(s) !== label);
  if (kept.length === statements.length) throw invalidLabel(label, "can't find label.");
  return kept.length === 0 ? null : JSON.stringify({ ...doc, Statement: kept });
}
