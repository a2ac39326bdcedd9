/*
 * X-Amz-Target routing: AWS JSON protocols name the operation as `<prefix><Operation>`
 * (`AmazonSQS.SendMessage`, `AWSEvents.PutEvents`) in one header on `POST /`.
 */

/**
 * The operation `target` names under `prefix`, when it is one of `known`; `undefined` for a
 * missing, foreign or unknown target (each protocol answers that with its own error).
 */
export function operationOf(
  target: string | null | undefined,
  prefix: string,
  known: ReadonlyMap<string, unknown>,
): string | undefined {
  const named = target?.startsWith(prefix) ? target.slice(prefix.length) : '';
  return known.has(named) ? named : undefined;
}
