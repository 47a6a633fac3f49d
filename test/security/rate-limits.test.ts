// Anti-automation (OWASP ASVS 2.2.1; security.md "per-IP and per-route rate limits"): sign-in, registration,
// code checks and email codes are limited per client IP in PostgreSQL-backed counters, with the answers each
// façade's clients understand: REST 429 + Retry-After + X-RateLimit-*, Backendless non-2xx, DDP too-many-requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectSimpleDdp, ddpError } from '../helpers/ddp-clients.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { defaultRateLimitPolicy } from '../../src/core/limits/rate-limit.ts';
import { enrolledUser, startLogin, verify as verifyCode } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';

// The documented defaults (docs/security.md), each configurable with RATE_LIMIT_<RULE>=N/SECONDS.
const { login, register, sendEmailCode, verify } = defaultRateLimitPolicy.rules;

let t: TestServer;
const swallow = () => undefined;
beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  t = await startTestServer({ RATE_LIMITS: 'true' });
});
afterAll(async () => {
  await t.close();
  process.off('unhandledRejection', swallow);
});

/** Each test starts with fresh counters (they are shared by every instance on the database). */
async function resetCounters() {
  await (await testDb()).query('DELETE FROM rate_limits');
}

describe('REST sign-in', () => {
  it(`allows ${login.limit} failed attempts a minute per IP, then answers 429 with Retry-After and X-RateLimit-* headers`, async () => {
    await resetCounters();
    const attempts = [];
    for (let i = 0; i < login.limit + 2; i++) attempts.push(await t.request('POST', '/v1/sessions', { body: { login: uniqueEmail('rl'), password: 'wrong password' } }));
    expect(attempts.slice(0, login.limit).every((a) => a.status === 401)).toBe(true);
    expect(attempts[0]!.headers.get('x-ratelimit-limit')).toBe(String(login.limit));
    expect(attempts[0]!.headers.get('x-ratelimit-remaining')).toBe(String(login.limit - 1));
    const limited = attempts[login.limit]!;
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'rate_limited', details: { rule: 'login', limit: login.limit } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');

    // The window passes (time travel, no sleeping) and sign-in works again.
    t.clock.advance(61_000);
    try {
      expect((await t.request('POST', '/v1/sessions', { body: { login: uniqueEmail('rl'), password: 'wrong password' } })).status).toBe(401);
    } finally {
      t.clock.reset();
    }
  });

  it('counts a parallel burst exactly: no more than the limit gets through', async () => {
    await resetCounters();
    const burst = await Promise.all(
      Array.from({ length: register.limit + 15 }, () => t.request('POST', '/v1/users', { body: { email: 'not-an-email', password: 'whatever it is' } })),
    );
    expect(burst.filter((r) => r.status === 400)).toHaveLength(register.limit);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(15);
  });
});

describe('REST second factor: the verify limit is counted by the answer\'s own write', () => {
  it('counts a parallel burst of wrong codes exactly, and then refuses even a right code without spending it', async () => {
    // Eight accounts, five wrong codes each on a transaction of their own: no transaction cap and no account
    // lock gets in the way, only the address's limit.
    await resetCounters();
    const users = [];
    for (let i = 0; i < 8; i++) users.push(await enrolledUser(t, `rlcode${i}`));
    t.clock.advance(30_000);
    await resetCounters();
    try {
      const transactions = await Promise.all(users.map((u) => startLogin(t, u.email, u.password)));
      const burst = await Promise.all(transactions.flatMap((id) => Array.from({ length: 5 }, () => verifyCode(t, id, '000000'))));
      const statuses = burst.map((r) => r.status).sort();
      expect(statuses).toEqual([...Array(verify.limit).fill(401), ...Array(5 * users.length - verify.limit).fill(429)]);
      const limited = burst.filter((r) => r.status === 429);
      expect(limited[0]!.body.error).toMatchObject({ code: 'rate_limited', details: { rule: 'verify', limit: verify.limit } });
      expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited[0]!.headers.get('x-ratelimit-remaining')).toBe('0');

      // The window is spent: a right code is refused too, and its transaction and time step stay unspent.
      const user = users[0]!;
      const fresh = await startLogin(t, user.email, user.password);
      const refused = await verifyCode(t, fresh, authenticatorCode(user.secret, t.clock));
      expect(refused.status).toBe(429);
      t.clock.advance(61_000);
      const signedIn = await verifyCode(t, fresh, authenticatorCode(user.secret, t.clock));
      expect(signedIn.status).toBe(201);
      expect(signedIn.headers.get('x-ratelimit-remaining')).toBe(String(verify.limit));
    } finally {
      t.clock.reset();
    }
  });
});

describe('Backendless façade', () => {
  it('answers the limit with a non-2xx Backendless error', async () => {
    await resetCounters();
    const { appId, apiKey } = t.server.backendless;
    let last: Response | undefined;
    for (let i = 0; i < login.limit + 1; i++) {
      last = await fetch(`${t.url}/${appId}/${apiKey}/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: uniqueEmail('bl'), password: 'wrong password' }),
      });
    }
    expect(last!.status).toBe(429);
    expect(await last!.json()).toMatchObject({ code: 8429, message: expect.any(String) });
  });
});

describe('DDP', () => {
  it('answers too-many-requests with details.timeToReset', async () => {
    await resetCounters();
    const ddp = await connectSimpleDdp(t.wsUrl);
    try {
      const errors = [];
      for (let i = 0; i < sendEmailCode.limit + 1; i++) errors.push(await ddpError(ddp.call('sendEmailCode', `nobody-${i}`)));
      expect(errors.slice(0, sendEmailCode.limit).every((e) => e.error === 'error-invalid-user')).toBe(true);
      expect(errors[sendEmailCode.limit]).toMatchObject({ error: 'too-many-requests', details: { timeToReset: expect.any(Number) } });
      expect(errors[sendEmailCode.limit]!.reason).toMatch(/^Error, too many requests\. Please slow down\. You must wait \d+ seconds before trying again\.$/);
    } finally {
      await ddp.disconnect();
    }
  });

  it('limits email codes per target, whichever IP asks (email bombing)', async () => {
    await resetCounters();
    const email = uniqueEmail('bomb');
    const answers = [];
    for (let i = 0; i < 6; i++) {
      // Different "IPs": the per-IP counter is reset each time, the per-target one is not.
      await (await testDb()).query(`DELETE FROM rate_limits WHERE key LIKE 'sendEmailCode:%'`);
      answers.push(await t.request('POST', '/v1/email-codes', { body: { emailOrUsername: email } }));
    }
    expect(answers.slice(0, 5).every((a) => a.status === 202)).toBe(true);
    expect(answers[5]!.status).toBe(429);
  });
});
