import type { Clock } from '../clock.ts';
import { TwofoldError } from '../errors.ts';

export interface RateRule {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimitStore {
  /** Counts one hit for `key` in the current window (one atomic upsert); returns the count and the window start. */
  hit(key: string, now: Date, windowSeconds: number): Promise<{ hits: number; windowStart: Date }>;
}

export interface RateVerdict {
  limit: number;
  remaining: number;
  resetAt: Date;
}

/** Named rules: what each façade limits, per client IP (and per target for mail). */
export interface RateLimitPolicy {
  enabled: boolean;
  rules: Record<RateRuleName, RateRule>;
}

export type RateRuleName = 'register' | 'login' | 'verify' | 'sendEmailCode' | 'sendEmailCodeTarget' | 'emailVerification' | 'ddpMethod';

export const defaultRateLimitPolicy: RateLimitPolicy = {
  enabled: true,
  rules: {
    register: { limit: 10, windowSeconds: 60 },
    login: { limit: 10, windowSeconds: 60 },
    verify: { limit: 20, windowSeconds: 60 },
    sendEmailCode: { limit: 5, windowSeconds: 60 },
    // Email bombing one person from many addresses: a cap per target too.
    sendEmailCodeTarget: { limit: 5, windowSeconds: 600 },
    emailVerification: { limit: 10, windowSeconds: 60 },
    ddpMethod: { limit: 20, windowSeconds: 10 },
  },
};

/** Counts a request under `rule` for `subject`; throws `rate_limited` (with the wait) past the limit. */
export async function enforceRateLimit(
  deps: { store: RateLimitStore; clock: Clock; policy: RateLimitPolicy },
  rule: RateRuleName,
  subject: string,
): Promise<RateVerdict | null> {
  if (!deps.policy.enabled) return null;
  const { limit, windowSeconds } = deps.policy.rules[rule];
  const now = deps.clock.now();
  const { hits, windowStart } = await deps.store.hit(`${rule}:${subject}`, now, windowSeconds);
  const resetAt = new Date(windowStart.getTime() + windowSeconds * 1000);
  const verdict = { limit, remaining: Math.max(0, limit - hits), resetAt };
  if (hits > limit) {
    const retryAfterSeconds = Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));
    throw new TwofoldError('rate_limited', { rule, limit, retryAfterSeconds, resetAt: resetAt.toISOString() });
  }
  return verdict;
}
