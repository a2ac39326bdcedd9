import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { type Deadline, DEADLINE_HEADER } from '../deadline.js';
import {
  admit,
  checkMiddlewareOptions,
  type DeadlineMiddlewareOptions,
  problemBody,
  withDeadline,
} from './deadline-http.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's deadline, set by `fastifyDeadline` (undefined when it runs without one). */
    deadline?: Deadline;
  }
}

/**
 * Fastify plugin with the same admission rules as `deadlineMiddleware` (400 malformed header,
 * 504 budget already spent, `maxMs` cap, `defaultMs`): `await app.register(fastifyDeadline(options))`.
 * The deadline is `request.deadline` and `currentDeadline()` in every later hook and the handler.
 */
export function fastifyDeadline(options: DeadlineMiddlewareOptions = {}) {
  checkMiddlewareOptions(options);
  // A callback hook, not an async one: only `run(deadline, done)` makes the rest of the chain
  // (later hooks, body parsing, the handler and what it awaits) descend from the deadline's
  // context. Fastify carries that context across body parsing itself. `enterWith` is not used:
  // it changes the context of the connection's parser, so the next request on a kept-alive
  // connection would inherit this request's deadline (seen with Fastify 5).
  function onRequest(
    req: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void {
    const a = admit(req.headers[DEADLINE_HEADER], options);
    if ('status' in a) {
      // Answered here: the chain stops (done is not called), so no work starts.
      void reply
        .code(a.status)
        .header('content-type', 'application/problem+json')
        .send(problemBody(a));
      return;
    }
    const deadline = a.run;
    if (!deadline) return done();
    req.deadline = deadline;
    // 'close' comes once the response is sent or the client has gone: the timer stops either way.
    reply.raw.once('close', () => deadline.dispose());
    withDeadline(deadline, () => done());
  }

  const plugin = async (app: FastifyInstance): Promise<void> => {
    if (!app.hasRequestDecorator('deadline')) app.decorateRequest('deadline', undefined);
    app.addHook('onRequest', onRequest);
  };
  // As fastify-plugin does: apply to the instance it is registered on, not a child context.
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}
