// Rocket.Chat's REST façade (/api/v1) against the threats of security.md: threat 5 (no token before the second
// factor on its login or on `method.callAnon/login`), threat 9 (its login and `users.2fa.sendEmailCode` tell
// nobody who is registered), threat 8 (its factor changes need a recent proof, never the remember-for grace),
// threats 3/4 (wrong codes answered quietly, Rocket.Chat's `undefined` / `false`, still count toward the
// per-IP limit), threat 12 (bad input is a typed 4xx, never a 5xx) and threat 18 (no-store).
import EJSON from 'ejson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolledUser } from '../helpers/accounts.ts';
import { connectSimpleDdp, ddpError, sha256 } from '../helpers/ddp-clients.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { credentials, emailCodeUser, rocketRest, totpUser, verifiedUser } from '../rocketchat/helpers.ts';

let t: TestServer;
const swallow = () => undefined;
beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
  process.off('unhandledRejection', swallow);
});

async function sessionCount(userId: string): Promise<number> {
  const rows = await (await testDb()).query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [userId]);
  return rows[0]!.n;
}

const envelope = (method: string, params: unknown[]) => ({ message: EJSON.stringify({ msg: 'method', id: '1', method, params }) });

describe('threat 5: no token before the second factor', () => {
  it('neither /api/v1/login nor method.callAnon/login issues one for a right password alone or with a wrong code', async () => {
    const { email, password, userId } = await enrolledUser(t, 'rcbypass');
    const before = await sessionCount(userId);
    for (const body of [{ user: email, password }, { user: email, password, code: '000000' }, { user: email, password, code: 'letters!' }]) {
      const answer = await rocketRest(t, 'POST', 'login', { body });
      expect(answer.status).toBe(401);
      expect(JSON.stringify(answer.body)).not.toMatch(/authToken|token"/);
    }
    const anon = await rocketRest(t, 'POST', 'method.callAnon/login', {
      body: envelope('login', [{ user: { email }, password: { digest: sha256(password), algorithm: 'sha-256' } }]),
    });
    expect(anon.status).toBe(200);
    expect(EJSON.parse(anon.body.message)).toMatchObject({ error: { error: 'totp-required' } });
    expect(await sessionCount(userId)).toBe(before);
  });
});

describe('threat 9: enumeration', () => {
  it('login answers an unknown user and a wrong password alike', async () => {
    const { username } = await verifiedUser(t, 'rcenum');
    const unknown = await rocketRest(t, 'POST', 'login', { body: { user: `${username}x`, password: 'not the password' } });
    const wrong = await rocketRest(t, 'POST', 'login', { body: { user: username, password: 'not the password' } });
    expect(unknown).toEqual(wrong);
  });

  it('users.2fa.sendEmailCode answers a user with email codes, one without, and nobody alike', async () => {
    const withCodes = await emailCodeUser(t, 'rcsend');
    const without = await verifiedUser(t, 'rcsendnone');
    const answers = await Promise.all(
      [withCodes.username, without.username, 'nobody-at-all', uniqueEmail('ghost')].map((emailOrUsername) =>
        rocketRest(t, 'POST', 'users.2fa.sendEmailCode', { body: { emailOrUsername } }),
      ),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({ status: 200, body: { success: true } });
  });
});

describe('threat 8: factor changes need a recent proof', () => {
  it('users.2fa.enableEmail / disableEmail past the step-up window change nothing without the code, or with a wrong one', async () => {
    const { username, password, secret } = await totpUser(t, 'rcproof');
    t.clock.advance(30_000);
    const login = (await rocketRest(t, 'POST', 'login', { body: { user: username, password, code: authenticatorCode(secret, t.clock) } })).body.data;
    // Within Rocket.Chat's 30-minute remember-for, same address and client, but past the 10-minute window.
    t.clock.advance(601_000);
    const headers = credentials(login);
    expect((await rocketRest(t, 'POST', 'users.2fa.enableEmail', { headers })).body).toMatchObject({ errorType: 'totp-required' });
    const wrong = await rocketRest(t, 'POST', 'users.2fa.enableEmail', { headers: { ...headers, 'x-2fa-code': '000000', 'x-2fa-method': 'totp' } });
    expect(wrong).toMatchObject({ status: 400, body: { success: false, error: 'TOTP Invalid [totp-invalid]', errorType: 'totp-invalid' } });
    expect((await rocketRest(t, 'GET', 'me', { headers })).body.services.email2fa).toEqual({ enabled: false });
    // Over method.call too: the DDP method's guard, unchanged.
    const viaCall = await rocketRest(t, 'POST', 'method.call/2fa:disable', { headers, body: envelope('2fa:disable', []) });
    expect(await rocketRest(t, 'GET', 'me', { headers })).toMatchObject({ body: { services: { totp: { enabled: true } } } });
    expect(EJSON.parse(viaCall.body.message)).toEqual({ msg: 'result', id: '1', result: false });
  });
});

describe('threats 3 and 4: quiet wrong answers still count', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ RATE_LIMITS: 'true', RATE_LIMIT_VERIFY: '3/60' });
  });
  afterAll(async () => {
    await limited.close();
    // The counters live in the shared database: the next file with limits on must not inherit these failures.
    await (await testDb()).query('DELETE FROM rate_limits');
  });

  it('2fa:regenerateCodes answers undefined to a wrong code, yet the per-IP limit counts it, on DDP and method.call alike', async () => {
    await (await testDb()).query('DELETE FROM rate_limits');
    const { email, password, secret } = await enrolledUser(limited, 'rcquiet');
    limited.clock.advance(30_000);
    const code = authenticatorCode(secret, limited.clock);
    const login = (await rocketRest(limited, 'POST', 'login', { body: { user: email, password, code } })).body.data;
    const ddp = await connectSimpleDdp(limited.wsUrl);
    try {
      await ddp.login({ resume: login.authToken });
      for (let i = 0; i < 3; i++) expect(await ddp.call('2fa:regenerateCodes', '000000')).toBeUndefined();
      expect(await ddpError(ddp.call('2fa:regenerateCodes', '000000'))).toMatchObject({ error: 'too-many-requests' });
      const viaRest = await rocketRest(limited, 'POST', 'method.call/2fa:regenerateCodes', {
        headers: credentials(login),
        body: envelope('2fa:regenerateCodes', ['000000']),
      });
      expect(EJSON.parse(viaRest.body.message)).toMatchObject({ error: { error: 'too-many-requests' } });
    } finally {
      await ddp.disconnect();
    }
  });

  it('/api/v1/login counts against the login limit with the X-RateLimit-* headers, and answers 429 past it', async () => {
    await (await testDb()).query('DELETE FROM rate_limits');
    let last;
    for (let i = 0; i < 31; i++) last = await rocketRest(limited, 'POST', 'login', { body: { user: uniqueEmail('rl'), password: 'wrong password' } });
    expect(last).toEqual({ status: 429, body: { success: false, error: expect.stringMatching(/^Error, too many requests\. Please slow down\./) } });
  });
});

describe('threat 12: bad input', () => {
  it('answers malformed logins, bodies and method calls with a 4xx, never a 5xx', async () => {
    const { username, password } = await verifiedUser(t, 'rcbad');
    const login = (await rocketRest(t, 'POST', 'login', { body: { user: username, password } })).body.data;
    const headers = credentials(login);
    const answers = [
      await rocketRest(t, 'POST', 'login', { body: { user: 12, password: [] } }),
      await rocketRest(t, 'POST', 'login', { body: { user: username, password, code: 'x'.repeat(10_000) } }),
      await rocketRest(t, 'POST', 'login', { body: { user: { username, '\u0000': 1 }, password } }),
      await rocketRest(t, 'POST', 'login', { body: '{"user":', headers: { 'content-type': 'application/json' } }),
      await rocketRest(t, 'POST', 'login', { body: '__proto__[admin]=1&user=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      await rocketRest(t, 'POST', 'login', { body: 'user=a', headers: { 'content-type': 'text/plain' } }),
      await rocketRest(t, 'POST', 'users.2fa.sendEmailCode', { body: { emailOrUsername: ['a'] } }),
      await rocketRest(t, 'POST', 'users.2fa.sendEmailCode', { body: [] }),
      await rocketRest(t, 'POST', 'method.call/sendEmailCode', { headers, body: { message: JSON.stringify({ msg: 'method', id: '1', method: 'sendEmailCode', params: [{ $type: 'nope', $value: 1 }] }) } }),
      await rocketRest(t, 'POST', 'method.call/sendEmailCode', { headers, body: { message: 42 } }),
      await rocketRest(t, 'POST', 'users.2fa.enableEmail', { headers: { ...headers, 'x-2fa-code': '1'.repeat(500) } }),
      await rocketRest(t, 'GET', 'me', { headers: { 'x-user-id': login.userId, 'x-auth-token': 't'.repeat(5000) } }),
    ];
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
      expect(answer.body.success).toBe(false);
    }
  });
});

describe('threat 18: caching', () => {
  it('the login answer, which carries the token, is Cache-Control: no-store', async () => {
    const { username, password } = await verifiedUser(t, 'rcstore');
    const response = await fetch(`${t.url}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: username, password }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
