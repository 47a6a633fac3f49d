import type { Clock } from '../clock.ts';
import { TwofoldError, type ErrorCode } from '../errors.ts';

export interface RateRule {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
  /**
   * What counts: every request, or only failed ones. Where a success costs us something (a mail sent, an
   * account created) every request counts; where only a failure helps an attacker (a wrong password, a wrong
   * code) only failures do, so an office behind one address or an app calling us from its own server is not
   * throttled for signing people in.
   */
  counts: 'all' | 'failures';
}

export interface RateLimitStore {
  /** Counts one hit for `key` in the current window (one atomic upsert); returns the count and the window start. */
  hit(key: string, now: Date, windowSeconds: number): Promise<{ hits: number; windowStart: Date }>;
  /** Takes one hit back, if the window that counted it is still the current one. */
  refund(key: string, windowStart: Date): Promise<void>;
}

export interface RateVerdict {
  limit: number;
  remaining: number;
  resetAt: Date;
  /**
   * Reports how the limited request ended (call once). Under a failures-only rule a request that did not fail
   * gets its hit back; under an every-request rule nothing changes.
   */
  settle(failed: boolean): Promise<void>;
}

/** Named rules: what each façade limits, per client IP (and per target for mail, per DDP connection for calls). */
export interface RateLimitPolicy {
  enabled: boolean;
  rules: Record<RateRuleName, RateRule>;
}

export type RateRuleName =
  | 'register'
  | 'login'
  | 'verify'
  | 'sendEmailCode'
  | 'sendEmailCodeTarget'
  | 'emailVerification'
  | 'accountMail'
  | 'accountMailTarget'
  | 'ddpMethod';

/**
 * Sized for many people behind one address (an office NAT, a campus, a mobile carrier) and for apps that call
 * us from their own server: failures-only rules leave successes free, and the numbers allow a busy shared
 * address its typing mistakes. Guessing one account is stopped by the account throttle, not by these.
 * docs/security.md explains each number.
 */
export const defaultRateLimitPolicy: RateLimitPolicy = {
  enabled: true,
  rules: {
    login: { limit: 30, windowSeconds: 60, counts: 'failures' },
    verify: { limit: 30, windowSeconds: 60, counts: 'failures' },
    emailVerification: { limit: 30, windowSeconds: 60, counts: 'failures' },
    // Each registration creates an account and mails a link to an address the caller chose.
    register: { limit: 20, windowSeconds: 60, counts: 'all' },
    // Each request may mail a code, and the answer is the same for unknown users: there is no failure to see.
    sendEmailCode: { limit: 10, windowSeconds: 60, counts: 'all' },
    // Email bombing one person from many addresses: a cap per target too.
    sendEmailCodeTarget: { limit: 5, windowSeconds: 600, counts: 'all' },
    // Password reset links and new confirmation links: anyone may ask, for any address, and the answer is the
    // same whether it is registered, so every request counts; per IP, and per address and purpose.
    accountMail: { limit: 10, windowSeconds: 60, counts: 'all' },
    accountMailTarget: { limit: 5, windowSeconds: 3600, counts: 'all' },
    // Per DDP connection and method (Rocket.Chat's "connection by method" limit): a flood guard.
    ddpMethod: { limit: 20, windowSeconds: 10, counts: 'all' },
  },
};

/**
 * Which answers are failures for a failures-only rule: the request was refused as the client's fault (4xx:
 * wrong password or unknown user, wrong or malformed code, malformed input, a locked account). A second-factor
 * challenge is not one: it is what a right password earns. Server faults (5xx) are not the client's either.
 */
export function isFailedAnswer(status: number, code?: ErrorCode): boolean {
  return status >= 400 && status < 500 && code !== 'second_factor_required';
}

/**
 * Counts a request under `rule` for `subject`; throws `rate_limited` (with the wait) past the limit.
 *
 * A failures-only rule still takes its hit before the request runs and gives it back when the request
 * succeeds (`settle`): counting only after the answer would let a parallel burst of guesses all pass the
 * check before any of them is counted. A request refused here is never given back.
 */
export async function enforceRateLimit(
  deps: { store: RateLimitStore; clock: Clock; policy: RateLimitPolicy },
  rule: RateRuleName,
  subject: string,
): Promise<RateVerdict | null> {
  if (!deps.policy.enabled) return null;
  const { limit, windowSeconds, counts } = deps.policy.rules[rule];
  const now = deps.clock.now();
  const key = `${rule}:${subject}`;
  const { hits, windowStart } = await deps.store.hit(key, now, windowSeconds);
  const resetAt = new Date(windowStart.getTime() + windowSeconds * 1000);
  if (hits > limit) throw rateLimited({ rule, limit, windowSeconds }, windowStart, now);
  let settled = false;
  return {
    limit,
    remaining: Math.max(0, limit - hits),
    resetAt,
    async settle(failed) {
      if (settled || failed || counts !== 'failures') return;
      settled = true;
      await deps.store.refund(key, windowStart);
    },
  };
}

/** The refusal of a request past `rule`'s limit in the window that began at `windowStart`. */
export function rateLimited(rule: { rule: RateRuleName; limit: number; windowSeconds: number }, windowStart: Date, now: Date): TwofoldError {
  const resetAt = new Date(windowStart.getTime() + rule.windowSeconds * 1000);
  const retryAfterSeconds = Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));
  return new TwofoldError('rate_limited', { rule: rule.rule, limit: rule.limit, retryAfterSeconds, resetAt: resetAt.toISOString() });
}

/** Failures counted in a window: `windowStart` null when no window is running (nothing counted yet). */
export interface RateSeen {
  hits: number;
  windowStart: Date | null;
}

/**
 * A failures-only limit counted by the answer's own atomic write instead of around the request: a wrong answer
 * counts its failure in the statement that records it, past the limit that statement spends nothing and the
 * request is refused; a right answer is accepted only while the window's failures are under the limit, and
 * counts nothing. A parallel burst is therefore counted exactly without taking (and giving back) a hit for every
 * request, which would be two more writes, on one row per address, for every successful sign-in. `seen` is
 * filled in by the write, for the façade's X-RateLimit-* headers; a request that failed before any answer was
 * recorded is counted by the façade afterwards (`enforce`).
 */
export interface RateCharge {
  rule: RateRuleName;
  key: string;
  limit: number;
  windowSeconds: number;
  seen?: RateSeen;
}

/** The charge for `rule` and `subject`, or null when limits are off or the rule counts every request. */
export function rateCharge(policy: RateLimitPolicy, rule: RateRuleName, subject: string): RateCharge | null {
  const { limit, windowSeconds, counts } = policy.rules[rule];
  if (!policy.enabled || counts !== 'failures') return null;
  return { rule, key: `${rule}:${subject}`, limit, windowSeconds };
}
