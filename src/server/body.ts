import { BallastError } from '../core/errors.js';

/**
 * Reads a request body, refusing more than `maxBytes`: a declared `Content-Length` over the
 * limit is refused before reading, a chunked body as soon as it crosses it. A body that stops
 * arriving (the server's request timeout cut the connection, or the client left) is `RequestTimeout`.
 */
export async function readBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = (): BallastError =>
    new BallastError(
      'RequestEntityTooLarge',
      `The request body is larger than the ${maxBytes} bytes this server accepts.`,
    );
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch (cause) {
      // The client's fault, not ours: the server cut it at the request timeout, or it went away.
      throw new BallastError(
        'RequestTimeout',
        'The request body did not arrive whole within the request timeout, or the client closed the connection.',
        { cause },
      );
    }
    const { done, value } = chunk;
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * One signal that aborts when any of `signals` does; `dispose` detaches it from long-lived
 * signals (the server's close signal) so finished requests leave no listeners behind.
 */
export function anySignal(signals: readonly AbortSignal[]): {
  signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  for (const s of signals) {
    if (s.aborted) {
      controller.abort();
      break;
    }
    s.addEventListener('abort', abort, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of signals) s.removeEventListener('abort', abort);
    },
  };
}
