import { BallastError } from '../core/errors.js';

/**
 * A bus's resource policy, as PutPermission / RemovePermission build it: one statement per
 * statement id granting `events:PutEvents` on the bus. Ballast stores and shows the policy
 * (DescribeEventBus `Policy`) but never enforces it.
 */

/** PutPermission's grant form (EventBridge's parameters, camelCase). */
export interface PermissionGrant {
  /** 1–64 of `[a-zA-Z0-9-_]`; a grant with an existing id replaces that statement. */
  statementId: string;
  /** A 12-digit account id, or `*` for any account (narrow it with `condition`). */
  principal: string;
  /** Only `events:PutEvents`. @defaultValue 'events:PutEvents' */
  action?: string;
  /** Limits a `*` grant, e.g. to an organization: `{ type: 'StringEquals', key: 'aws:PrincipalOrgID', value: 'o-…' }`. */
  condition?: { type: string; key: string; value: string };
}

/** Largest policy a bus holds, bytes of JSON (EventBridge's 10 KB). */
export const MAX_POLICY_BYTES = 10_240;

const validation = (message: string): BallastError =>
  new BallastError('ValidationException', message);

interface PolicyDocument {
  Version?: unknown;
  Statement?: unknown;
  [key: string]: unknown;
}

const statementsOf = (doc: PolicyDocument): unknown[] =>
  doc.Statement === undefined
    ? []
    : Array.isArray(doc.Statement)
      ? [...doc.Statement]
      : [doc.Statement];

const sidOf = (s: unknown): unknown =>
  typeof s === 'object' && s !== null ? (s as { Sid?: unknown }).Sid : undefined;

function sized(doc: PolicyDocument): string {
  const text = JSON.stringify(doc);
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES)
    throw new BallastError(
      'PolicyLengthExceededException',
      `The event bus policy would exceed ${MAX_POLICY_BYTES} bytes.`,
    );
  return text;
}

/** A whole policy given as text (PutPermission's `Policy` form): a JSON object within 10 KB; returned compacted. */
export function checkPolicyText(text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw validation('Policy is not a valid JSON document.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw validation('Policy must be a JSON object.');
  return sized(doc as PolicyDocument);
}

/** The policy with the statement of `grant` added, or replacing the one of its id. */
export function grantPermission(
  policy: string | null,
  busArn: string,
  grant: PermissionGrant,
): string {
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(grant.statementId))
    throw validation('StatementId must be 1 to 64 characters of [a-zA-Z0-9-_].');
  const action = grant.action ?? 'events:PutEvents';
  if (action !== 'events:PutEvents')
    throw validation(`Action must be events:PutEvents, not ${action}.`);
  if (grant.principal !== '*' && !/^\d{12}$/.test(grant.principal))
    throw validation('Principal must be a 12-digit account id or *.');
  const c = grant.condition;
  if (c !== undefined && (c.type === '' || c.key === '' || c.value === ''))
    throw validation('Condition needs a Type, a Key and a Value.');
  const statement = {
    Sid: grant.statementId,
    Effect: 'Allow',
    Principal: grant.principal === '*' ? '*' : { AWS: `arn:aws:iam::${grant.principal}:root` },
    Action: action,
    Resource: busArn,
    ...(c ? { Condition: { [c.type]: { [c.key]: c.value } } } : {}),
  };
  const doc = policy === null ? {} : (JSON.parse(policy) as PolicyDocument);
  const statements = statementsOf(doc);
  const at = statements.findIndex((s) => sidOf(s) === grant.statementId);
  if (at >= 0) statements[at] = statement;
  else statements.push(statement);
  return sized({ Version: doc.Version ?? '2012-10-17', ...doc, Statement: statements });
}

/** The policy without the statement of `statementId` (null when none is left); `ResourceNotFoundException` when it has none of that id. */
export function revokePermission(policy: string | null, statementId: string): string | null {
  const doc = policy === null ? {} : (JSON.parse(policy) as PolicyDocument);
  const statements = statementsOf(doc);
  const kept = statements.filter((s) => sidOf(s) !== statementId);
  if (kept.length === statements.length)
    throw new BallastError(
      'ResourceNotFoundException',
      `Statement with the provided id ${statementId} does not exist.`,
    );
  return kept.length === 0 ? null : JSON.stringify({ ...doc, Statement: kept });
}
