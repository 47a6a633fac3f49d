import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Core, RateRuleName } from '../../core/index.ts';
import { isTwofoldError, type ErrorCode } from '../../core/errors.ts';
import { isFailedAnswer, type RateVerdict } from '../../core/limits/rate-limit.ts';
import { toTwofoldError } from './fastify-errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The named rate limit this route counts against, per client IP. */
    rateLimit?: RateRuleName;
  }
}

/**
 * Applies a route's named limit before anything else runs, with the `X-RateLimit-*` headers clients
 * expect, and `Retry-After` on the 429. The counters live in PostgreSQL, so all instances share them.
 * Once the answer is known (before it is sent, so a client's next request already sees the count), a
 * failures-only rule gives a successful request its hit back.
 */
export function installRateLimits(app: FastifyInstance, core: Core): void {
  const pending = new WeakMap<FastifyRequest, RateVerdict>();
  const errorCodes = new WeakMap<FastifyRequest, ErrorCode>();

  app.addHook('onRequest', async (request, reply) => {
    const rule = request.routeOptions.config?.rateLimit;
    if (!rule) return;
    try {
      const verdict = await core.limits.enforce(rule, request.ip);
      if (verdict) {
        pending.set(request, verdict);
        void reply.header('x-ratelimit-limit', verdict.limit);
        void reply.header('x-ratelimit-remaining', verdict.remaining);
        void reply.header('x-ratelimit-reset', Math.ceil(verdict.resetAt.getTime() / 1000));
      }
    } catch (error) {
      if (isTwofoldError(error) && error.code === 'rate_limited') {
        void reply.header('retry-after', error.details.retryAfterSeconds);
        void reply.header('x-ratelimit-limit', error.details.limit);
        void reply.header('x-ratelimit-remaining', 0);
      }
      throw error;
    }
  });

  // The status alone cannot tell a second-factor challenge (401, not a failure) from a wrong code.
  app.addHook('onError', async (request, _reply, error) => {
    if (pending.has(request)) errorCodes.set(request, toTwofoldError(error).code);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const verdict = pending.get(request);
    if (!verdict) return payload;
    pending.delete(request);
    try {
      await verdict.settle(isFailedAnswer(reply.statusCode, errorCodes.get(request)));
    } catch (error) {
      // The answer stands; the hit merely stays counted.
      request.log.warn({ err: error }, 'rate limit refund failed');
    }
    return payload;
  });
}
