import type { FastifyInstance } from 'fastify';
import type { Core, RateRuleName } from '../../core/index.ts';
import { isTwofoldError } from '../../core/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The named rate limit this route counts against, per client IP. */
    rateLimit?: RateRuleName;
  }
}

/**
 * Applies a route's named limit before anything else runs, with the `X-RateLimit-*` headers clients
 * expect, and `Retry-After` on the 429. The counters live in PostgreSQL, so all instances share them.
 */
export function installRateLimits(app: FastifyInstance, core: Core): void {
  app.addHook('onRequest', async (request, reply) => {
    const rule = request.routeOptions.config?.rateLimit;
    if (!rule) return;
    try {
      const verdict = await core.limits.enforce(rule, request.ip);
      if (verdict) {
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
}
