import { BallastError, type BallastErrorCode } from '../../../core/errors.js';
import { readBody } from '../../body.js';
import type { ResolvedAppOptions } from '../../options.js';
import { asRequestObject, type WireObject } from './input.js';
import { verifySigV4 } from './sigv4.js';

/*
 * What every AWS JSON protocol on this server does the same way before its operation runs:
 * read the body within the size limit, verify SigV4 when credentials are configured, decode JSON.
 */

/**
 * Reads the body (size limit first) and, when credentials are configured, verifies its SigV4
 * signature for `service` (`sqs`, `events`). The whole body is read before the check because the
 * signature must cover it (no `UNSIGNED-PAYLOAD`); the request timeout bounds how long that takes.
 * Throws BallastErrors the protocols map to their shapes (each protocol's `ProtocolErrorMap`).
 */
export async function readSignedBody(
  request: Request,
  options: ResolvedAppOptions,
  now: number,
  service: string,
): Promise<Uint8Array> {
  const body = await readBody(request, options.maxRequestBytes);
  if (options.credentials.length > 0) {
    verifySigV4(
      { method: request.method, url: request.url, headers: request.headers, body },
      {
        credentials: options.credentials,
        service,
        maxClockSkewSeconds: options.maxClockSkewSeconds,
        now,
      },
    );
  }
  return body;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a JSON request body that must be an object (an empty body is `{}`). Bytes that are not
 * UTF-8 are refused with `invalidUtf8` (never silently replaced by U+FFFD, which would store
 * different text than was sent); bad JSON is `SerializationException`.
 */
export function parseJsonObject(
  body: Uint8Array,
  invalidUtf8: BallastErrorCode = 'SerializationException',
): WireObject {
  if (body.byteLength === 0) return {};
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new BallastError(
      invalidUtf8,
      'The request contains bytes that are not valid UTF-8: message bodies, attribute values and event details must be Unicode text.',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BallastError('SerializationException', 'The request body is not valid JSON.');
  }
  return asRequestObject(value);
}
