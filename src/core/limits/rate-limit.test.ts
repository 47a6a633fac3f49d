import { describe, expect, it } from 'vitest';
import { isTwofoldError } from '../errors.ts';
import { defaultRateLimitPolicy, enforceRateLimit, isFailedAnswer, rateCharge, type RateLimitPolicy, type RateLimitStore } from './rate-limit.ts';

/** Fixed windows per key, as the SQL store keeps them: a hit past the window starts a new one at 1. */
class WindowCounts implements RateLimitStore {
  readonly rows = new Map<string, { hits: number; windowStart: Date }>();
  async hit(key: string, now: Date, windowSeconds: number) {
    const row = this.rows.get(key);
    const fresh = !row || row.windowStart.getTime() <= now.getTime() - windowSeconds * 1000;
    const next = fresh ? { hits: 1, windowStart: now } : { hits: row.hits + 1, windowStart: row.windowStart };
    this.rows.set(key, next);
    return { ...next };
  }
  async refund(key: string, windowStart: Date) {
    const row = this.rows.get(key);
    if (row && row.windowStart.getTime() === windowStart.getTime() && row.hits > 0) row.hits -= 1;
  }
}

const start = new Date('2026-01-01T00:00:00.000Z');

function limiter(rules: Partial<RateLimitPolicy['rules']> = {}, enabled = true) {
  const store = new WindowCounts();
  let nowMs = start.getTime();
  const policy: RateLimitPolicy = { enabled, rules: { ...defaultRateLimitPolicy.rules, ...rules } };
  const deps = { store, clock: { now: () => new Date(nowMs) }, policy };
  return {
    store,
    at: (ms: number) => void (nowMs = start.getTime() + ms),
    hit: (rule: Parameters<typeof enforceRateLimit>[1], subject = '203.0.113.7') => enforceRateLimit(deps, rule, subject),
  };
}

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isTwofoldError(error)) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('the request was let through');
}

describe('enforceRateLimit', () => {
  it('lets `limit` requests through per window, saying how many remain and when the window resets', async () => {
    const rate = limiter({ register: { limit: 3, windowSeconds: 60, counts: 'all' } });
    const verdicts = [await rate.hit('register'), await rate.hit('register'), await rate.hit('register')];
    expect(verdicts.map((v) => [v!.limit, v!.remaining, v!.resetAt.toISOString()])).toEqual([
      [3, 2, '2026-01-01T00:01:00.000Z'],
      [3, 1, '2026-01-01T00:01:00.000Z'],
      [3, 0, '2026-01-01T00:01:00.000Z'],
    ]);
  });

  it('refuses the request past the limit with the exact wait, rounded up to whole seconds', async () => {
    const rate = limiter({ register: { limit: 1, windowSeconds: 60, counts: 'all' } });
    await rate.hit('register');
    rate.at(20_500);
    expect(await refusal(rate.hit('register'))).toEqual({
      code: 'rate_limited',
      details: { rule: 'register', limit: 1, retryAfterSeconds: 40, resetAt: '2026-01-01T00:01:00.000Z' },
    });
    rate.at(59_999);
    expect((await refusal(rate.hit('register'))).details.retryAfterSeconds).toBe(1);
  });

  it('never tells a refused client to retry in less than one second', async () => {
    // A store whose window is already over when the answer is computed (clock skew between instances).
    const deps = {
      store: { hit: async () => ({ hits: 9, windowStart: new Date(start.getTime() - 120_000) }), refund: async () => {} },
      clock: { now: () => start },
      policy: { enabled: true, rules: { ...defaultRateLimitPolicy.rules, login: { limit: 1, windowSeconds: 60, counts: 'failures' as const } } },
    };
    expect((await refusal(enforceRateLimit(deps, 'login', 'x'))).details.retryAfterSeconds).toBe(1);
  });

  it('starts counting again in the next window', async () => {
    const rate = limiter({ register: { limit: 1, windowSeconds: 60, counts: 'all' } });
    await rate.hit('register');
    rate.at(60_000);
    expect((await rate.hit('register'))!.remaining).toBe(0);
  });

  it('counts each rule and subject apart: one busy address does not throttle another', async () => {
    const rate = limiter({ register: { limit: 1, windowSeconds: 60, counts: 'all' }, login: { limit: 1, windowSeconds: 60, counts: 'all' } });
    await rate.hit('register', 'a');
    expect(await rate.hit('register', 'b')).not.toBeNull();
    expect(await rate.hit('login', 'a')).not.toBeNull();
    expect([...rate.store.rows.keys()].sort()).toEqual(['login:a', 'register:a', 'register:b']);
  });

  it('a failures-only rule gives a successful request its hit back, once', async () => {
    const rate = limiter({ login: { limit: 2, windowSeconds: 60, counts: 'failures' } });
    await rate.hit('login');
    const verdict = await rate.hit('login');
    await verdict!.settle(false);
    await verdict!.settle(false);
    expect(rate.store.rows.get('login:203.0.113.7')!.hits).toBe(1);
    await rate.store.refund('login:203.0.113.7', start);
    // A parallel burst of guesses is counted before any answer: the third guess is refused while two are in flight.
    await rate.hit('login');
    await rate.hit('login');
    expect((await refusal(rate.hit('login'))).code).toBe('rate_limited');
  });

  it('a failures-only rule keeps the hit of a failed request', async () => {
    const rate = limiter({ login: { limit: 2, windowSeconds: 60, counts: 'failures' } });
    const verdict = await rate.hit('login');
    await verdict!.settle(true);
    expect(rate.store.rows.get('login:203.0.113.7')!.hits).toBe(1);
  });

  it('an every-request rule never gives a hit back (each mail sent costs)', async () => {
    const rate = limiter({ sendEmailCode: { limit: 2, windowSeconds: 60, counts: 'all' } });
    const verdict = await rate.hit('sendEmailCode');
    await verdict!.settle(false);
    expect(rate.store.rows.get('sendEmailCode:203.0.113.7')!.hits).toBe(1);
  });

  it('counts nothing when rate limiting is turned off', async () => {
    const rate = limiter({}, false);
    expect(await rate.hit('login')).toBeNull();
    expect(rate.store.rows.size).toBe(0);
  });
});

describe('isFailedAnswer: what a failures-only rule counts', () => {
  it.each([
    [400, undefined, true],
    [401, 'invalid_credentials', true],
    [429, 'rate_limited', true],
    [499, undefined, true],
    [401, 'second_factor_required', false],
    [200, undefined, false],
    [399, undefined, false],
    [500, undefined, false],
    [503, 'database_timeout', false],
  ] as const)('status %i (%s) is a failure: %s', (status, code, failed) => {
    expect(isFailedAnswer(status, code)).toBe(failed);
  });
});

describe('the default policy', () => {
  it('holds the numbers docs/security.md explains', () => {
    expect(defaultRateLimitPolicy).toEqual({
      enabled: true,
      rules: {
        login: { limit: 30, windowSeconds: 60, counts: 'failures' },
        verify: { limit: 30, windowSeconds: 60, counts: 'failures' },
        emailVerification: { limit: 30, windowSeconds: 60, counts: 'failures' },
        register: { limit: 20, windowSeconds: 60, counts: 'all' },
        sendEmailCode: { limit: 10, windowSeconds: 60, counts: 'all' },
        sendEmailCodeTarget: { limit: 5, windowSeconds: 600, counts: 'all' },
        accountMail: { limit: 10, windowSeconds: 60, counts: 'all' },
        accountMailTarget: { limit: 5, windowSeconds: 3600, counts: 'all' },
        ddpMethod: { limit: 20, windowSeconds: 10, counts: 'all' },
      },
    });
  });
});

describe('a charge counted by the answer\'s own write (rateCharge)', () => {
  const policy: RateLimitPolicy = { ...defaultRateLimitPolicy, rules: { ...defaultRateLimitPolicy.rules, verify: { limit: 7, windowSeconds: 90, counts: 'failures' } } };

  it('names the rule, its key for this subject, its limit and its window', () => {
    expect(rateCharge(policy, 'verify', '198.51.100.7')).toEqual({ rule: 'verify', key: 'verify:198.51.100.7', limit: 7, windowSeconds: 90 });
  });

  it('is none for a rule that counts every request: those are counted around the request, success or not', () => {
    expect(policy.rules.register.counts).toBe('all');
    expect(rateCharge(policy, 'register', '198.51.100.7')).toBeNull();
  });

  it('is none when rate limits are off', () => {
    expect(rateCharge({ ...policy, enabled: false }, 'verify', '198.51.100.7')).toBeNull();
  });
});
