// Threat 7 (a lockout that leaves the pending login alive) and threat 13 (notification), security.md and
// OWASP ASVS 2.2.1 / 2.5.5: when the account throttle locks an account, every pending transaction of that
// account dies with it, the lockout is in the audit log, and the user gets a mail saying until when.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser, startLogin, verify } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('a lockout', () => {
  it('burns pending logins, is audited, and is mailed to the user', async () => {
    const { email, password, secret, token } = await enrolledUser(t, 'locked');
    const victimsLogin = await startLogin(t, email, password);

    // Ten wrong codes through another path (step-up checks) lock the account.
    for (let i = 0; i < 10; i++) {
      const res = await t.request('POST', '/v1/me/step-up', { token, body: { operation: 'x', code: '000000' } });
      expect(res.body.error.code).toBe('second_factor_invalid');
    }
    const notice = t.notices.last('account-locked', email);
    expect(notice.until.getTime() - t.clock.now().getTime()).toBeGreaterThan(14 * 60_000);

    // Even once the lock is over, the login that was pending during it stays dead.
    t.clock.advance(16 * 60_000);
    try {
      const res = await verify(t, victimsLogin, authenticatorCode(secret, t.clock));
      expect(res.body.error.code).toBe('transaction_locked');
      const events = await t.request('GET', '/v1/me/events?limit=50', { token });
      expect(events.body.events.map((e: { kind: string }) => e.kind)).toContain('account_locked');
      // A fresh login with the right code works, and resets the count.
      expect((await verify(t, await startLogin(t, email, password), authenticatorCode(secret, t.clock))).status).toBe(201);
    } finally {
      t.clock.reset();
    }
  });

  it('is told at the password step, to someone who knows the password only, rather than through a dead transaction', async () => {
    const { email, password, token } = await enrolledUser(t, 'locked-login');
    for (let i = 0; i < 10; i++) await t.request('POST', '/v1/me/step-up', { token, body: { operation: 'x', code: '000000' } });
    const locked = await t.request('POST', '/v1/sessions', { body: { login: email, password } });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatchObject({ code: 'account_locked', details: { retryAfterSeconds: 900 } });
    // A wrong password learns nothing about the lock: the same answer as for anyone.
    expect((await t.request('POST', '/v1/sessions', { body: { login: email, password: 'not the password' } })).body.error.code).toBe('invalid_credentials');
    t.clock.advance(15 * 60_000 + 1000);
    try {
      expect((await t.request('POST', '/v1/sessions', { body: { login: email, password } })).status).toBe(202);
    } finally {
      t.clock.reset();
    }
  });

  it('is lifted by an operator (twofold user unlock)', async () => {
    const { email, password, secret, userId, token } = await enrolledUser(t, 'unlock');
    for (let i = 0; i < 10; i++) await t.request('POST', '/v1/me/step-up', { token, body: { operation: 'x', code: '000000' } });
    t.clock.advance(30_000);
    expect((await t.request('POST', '/v1/sessions', { body: { login: email, password } })).body.error.code).toBe('account_locked');
    await t.server.core.admin.unlock(userId);
    t.clock.advance(30_000);
    expect((await verify(t, await startLogin(t, email, password), authenticatorCode(secret, t.clock))).status).toBe(201);
    t.clock.reset();
  });
});
