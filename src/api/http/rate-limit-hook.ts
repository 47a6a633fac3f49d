import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core, RateRuleName } from '../../core/index.ts';
import { isTwofoldError, type ErrorCode } from '../../core/errors.ts';
import { isFailedAnswer, type RateCharge, type RateVerdict } from '../../core/limits/rate-limit.ts';
import { toTwofoldError } from './fastify-errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The named rate limit this route counts against, per client IP. */
    rateLimit?: RateRuleName;
    /**
     * `answer`: the route's core call records an answer and counts the (failures-only) limit in that same write
     * (rate-limit.ts `RateCharge`, handed over in the request context); only a failure that never reached it is
     * counted here, afterwards.
     */
    rateLimitCountedBy?: 'answer';
  }
}

const charges = new WeakMap<FastifyRequest, RateCharge>();

/** The limit a route's answer write counts, for its request context. */
export const rateChargeOf = (request: FastifyRequest): RateCharge | undefined => charges.get(request);

/**
 * Applies a route's named limit before anything else runs, with the `X-RateLimit-*` headers clients
 * expect, and `Retry-After` on the 429. The counters live in PostgreSQL, so all instances share them.
 * Once the answer is known (before it is sent, so a client's next request already sees the count), a
 * failures-only rule gives a successful request its hit back.
 */
export function installRateLimits(app: FastifyInstance, core: Core): void {
  const pending = new WeakMap<FastifyRequest, RateVerdict>();
  const errorCodes = new WeakMap<FastifyRequest, ErrorCode>();
  const retryAfter = new WeakMap<FastifyRequest, number>();

  app.addHook('onRequest', async (request, reply) => {
    const rule = request.routeOptions.config?.rateLimit;
    if (!rule) return;
    if (request.routeOptions.config.rateLimitCountedBy === 'answer') {
      const charge = core.limits.charge(rule, request.ip);
      if (charge) {
        charges.set(request, charge);
        return;
      }
    }
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
    if (!pending.has(request) && !charges.has(request)) return;
    const failure = toTwofoldError(error);
    errorCodes.set(request, failure.code);
    if (failure.code === 'rate_limited') retryAfter.set(request, Number(failure.details.retryAfterSeconds));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const charge = charges.get(request);
    if (charge) {
      charges.delete(request);
      await settleCharge(core, request, reply, charge, isFailedAnswer(reply.statusCode, errorCodes.get(request)), retryAfter.get(request));
      return payload;
    }
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

/**
 * The headers of a request whose answer write saw the limit's window; a failure that never got that far (an
 * unknown transaction, a malformed code, a locked account) is counted now, as `enforce` would have before it.
 */
async function settleCharge(core: Core, request: FastifyRequest, reply: FastifyReply, charge: RateCharge, failed: boolean, refusedFor?: number): Promise<void> {
  let seen = charge.seen;
  if (!seen && failed) {
    try {
      const verdict = await core.limits.enforce(charge.rule, request.ip);
      if (verdict) seen = { hits: charge.limit - verdict.remaining, windowStart: new Date(verdict.resetAt.getTime() - charge.windowSeconds * 1000) };
    } catch (error) {
      if (!isTwofoldError(error) || error.code !== 'rate_limited') request.log.warn({ err: error }, 'rate limit count failed');
      else seen = { hits: charge.limit + 1, windowStart: new Date(Date.parse(String(error.details.resetAt)) - charge.windowSeconds * 1000) };
    }
  }
  if (!seen) return;
  const resetAt = new Date((seen.windowStart?.getTime() ?? Date.now()) + charge.windowSeconds * 1000);
  void reply.header('x-ratelimit-limit', charge.limit);
  void reply.header('x-ratelimit-remaining', Math.max(0, charge.limit - seen.hits));
  void reply.header('x-ratelimit-reset', Math.ceil(resetAt.getTime() / 1000));
  if (refusedFor !== undefined) void reply.header('retry-after', refusedFor);
}
