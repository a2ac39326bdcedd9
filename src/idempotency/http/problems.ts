import { isBallastError } from '../../core/errors.js';

/** An HTTP answer the middleware gives by itself (RFC 9457 problem documents). */
export interface ProblemAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The default link of problem documents' `type`. */
export const DEFAULT_DOCS_URL = 'https://github.com/ballast/ballast/blob/main/docs/idempotency.md';

/** A problem+json answer. */
export function problem(
  docs: string,
  status: number,
  title: string,
  detail: string,
  extra: Record<string, string> = {},
): ProblemAnswer {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...extra },
    body: JSON.stringify({ type: docs, title, status, detail }),
  };
}

/**
 * What to answer when `idem.run` failed before the handler ran: 409 in flight, 422 key reused,
 * 503 store unavailable (or `'open'`: run without idempotency); undefined = not ours to answer.
 */
export function answerFor(
  error: unknown,
  docs: string,
  onStoreError: 'closed' | 'open' | undefined,
): ProblemAnswer | 'open' | undefined {
  const code = isBallastError(error) ? error.code : '';
  if (code === 'IdempotencyInProgress') {
    return problem(
      docs,
      409,
      'A request is outstanding for this Idempotency-Key',
      error instanceof Error ? error.message : '',
      { 'retry-after': '1' },
    );
  }
  if (code === 'IdempotencyKeyReused') {
    return problem(
      docs,
      422,
      'Idempotency-Key is already used',
      'This key was used with a different request; use a new key for a new request.',
    );
  }
  if (code === 'StoreUnavailable' || code === 'Closed' || code === 'InternalError') {
    if (onStoreError === 'open') return 'open';
    return problem(
      docs,
      503,
      'Idempotency store unavailable',
      'The request was not run; retry with the same key.',
      { 'retry-after': '1' },
    );
  }
  return undefined;
}

/** Answer for a missing (when required) or invalid key header, or undefined when the key is usable. */
export function keyProblem(
  header: { missing: true } | { invalid: string } | { key: string },
  required: boolean,
  docs: string,
): ProblemAnswer | 'skip' | undefined {
  if ('missing' in header)
    return required
      ? problem(
          docs,
          400,
          'Idempotency-Key is missing',
          'This endpoint requires an Idempotency-Key header.',
        )
      : 'skip';
  if ('invalid' in header) return problem(docs, 400, 'Idempotency-Key is invalid', header.invalid);
  return undefined;
}

/** Thrown inside a run whose response must not be stored (5xx, too large, aborted): releases the key. */
export class NotStored extends Error {}

/** A stored response. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  /** Base64: bodies are bytes. */
  body: string;
}

/**
 * The retention advertised on responses to keyed requests when asked (`advertiseRetention`):
 * `Idempotency-TTL: <seconds>`, the header proposed in the IETF draft's issue #49 (the draft
 * itself defines none, and asks servers to document their expiry).
 */
export function retentionHeaders(
  ttlSeconds: number,
  advertise: boolean | undefined,
): Record<string, string> {
  return advertise ? { 'idempotency-ttl': String(ttlSeconds) } : {};
}
