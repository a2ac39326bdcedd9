import type { IncomingMessage } from 'node:http';

/** A request body read by the middleware itself (no body parser ran before it). */
export interface ReadBody {
  /** The bytes as they came. */
  readonly raw: Buffer;
  /** What to fingerprint: the parsed JSON for a JSON content type that parses, else the text. */
  readonly input: unknown;
  /** The parsed JSON, when the content type is JSON and it parses. */
  readonly json?: unknown;
}

/** The body did not fit the limit: answered 413 without running the handler. */
export class BodyTooLarge extends Error {}

const isJson = (req: IncomingMessage): boolean =>
  /^application\/([\w.+-]*\+)?json\b/i.test(req.headers['content-type'] ?? '');

/** True when the request announces a body (a positive Content-Length, or chunked). */
const announcesBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * Reads the whole body of `req` for fingerprinting, then puts the bytes back at the front of the
 * stream, so a handler after the middleware still reads it (`data`/`end`, `for await`, pipes) as
 * if nothing had. Resolves undefined when there is no body to read or the stream was already read.
 * Rejects with `BodyTooLarge` past `maxBytes` (nothing is put back then).
 */
export function readBodyOnce(
  req: IncomingMessage,
  maxBytes: number,
): Promise<ReadBody | undefined> {
  if (!announcesBody(req) || req.readableEnded || req.readableFlowing === true)
    return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => {
      req.off('readable', onReadable);
      req.off('error', onError);
      req.off('end', onEnd);
    };
    const onError = (error: Error): void => (finish(), reject(error));
    // Only for a body that ended before `complete` was seen; its bytes cannot be put back then.
    const onEnd = (): void => (finish(), resolve(bodyOf(req, Buffer.concat(chunks))));
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = req.read() as Buffer | null) !== null) {
        size += chunk.length;
        if (size > maxBytes) {
          finish();
          req.resume(); // drain the rest so the connection can answer
          return reject(new BodyTooLarge());
        }
        chunks.push(chunk);
      }
      // `complete`: the whole message has arrived. Putting the bytes back now, before the stream
      // has emitted 'end', means 'end' comes only after the handler has read them again.
      if (req.complete) {
        const raw = Buffer.concat(chunks);
        finish();
        if (raw.length > 0) req.unshift(raw);
        resolve(bodyOf(req, raw));
      }
    };
    req.on('readable', onReadable);
    req.on('error', onError);
    req.on('end', onEnd);
  });
}

function bodyOf(req: IncomingMessage, raw: Buffer): ReadBody {
  const text = raw.toString('utf8');
  if (isJson(req)) {
    try {
      const json: unknown = JSON.parse(text);
      return { raw, input: json, json };
    } catch {
      // Not JSON after all: fingerprint the text.
    }
  }
  return { raw, input: text };
}
