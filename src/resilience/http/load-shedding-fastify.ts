import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import {
  type ConcurrencyLimiter,
  type LoadSheddingOptions,
  pathOf,
  resolveLoadShedding,
} from '../load-shedding.js';

/**
 * Fastify plugin for load shedding, with its limiter: `await app.register(fastifyLoadShedding(options))`
 * before `fastifyDeadline`. Past `maxConcurrent` requests in flight it answers 503 with `Retry-After`
 * from `onRequest`, before the body is parsed; health checks pass uncounted.
 */
export function fastifyLoadShedding(options: LoadSheddingOptions) {
  const { limiter, isExempt, refusal } = resolveLoadShedding(options);

  function onRequest(
    req: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void {
    if (isExempt({ method: req.method, path: pathOf(req.url) })) return done();
    if (!limiter.tryEnter()) {
      // Answered here: done is not called, so no later hook, parser or handler runs.
      void reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
      return;
    }
    // The raw response closes once whatever happens: sent, failed with 500, or client gone.
    reply.raw.once('close', () => limiter.leave());
    done();
  }

  const plugin = async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', onRequest);
  };
  // As fastify-plugin does: apply to the instance it is registered on, not a child context.
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    limiter: limiter as ConcurrencyLimiter,
  });
}
