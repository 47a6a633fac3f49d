// Threat 16 (oracles behind a session), security.md and OWASP ASVS 2.2.1: a session holder cannot use the password
// change to guess the password. Its current-password check comes after the second factor (so without one the
// answer is the same whatever the password), counts toward the account lockout, is rate limited per account, and
// each failure is a security event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser } from '../helpers/accounts.ts';
import { uniqueEmail } from '../helpers/db.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const change = (token: string, currentPassword: string) =>
  t.request('POST', '/v1/me/password', { token, body: { currentPassword, newPassword: 'a new password entirely' } });
const failedChecks = async (userId: string) =>
  (await t.server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM security_events WHERE user_id = $1 AND kind = 'password_check_failed'`, [userId]))[0]!.n;

describe('the password change is no password oracle (threat 16)', () => {
  it('without a recent second factor, a right and a wrong password get the same answer', async () => {
    const { token, password } = await enrolledUser(t, 'oracle');
    t.clock.advance(601_000);
    try {
      const right = await change(token, password);
      const wrong = await change(token, 'surely not the password');
      expect(right.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(right.body.error.code).toBe('second_factor_required');
      expect(wrong.body.error.code).toBe('second_factor_required');
    } finally {
      t.clock.reset();
    }
  });

  it('wrong current passwords are audited and lock the account after 10, like wrong codes', async () => {
    const { token, userId, password } = await enrolledUser(t, 'guesser');
    const answers = [];
    for (let i = 0; i < 14; i++) answers.push(await change(token, `guess number ${i}`));
    expect(answers.slice(0, 10).every((a) => a.body.error.code === 'invalid_credentials')).toBe(true);
    expect(answers.slice(10).every((a) => a.status === 429)).toBe(true);
    expect(await failedChecks(userId)).toBe(10);
    // Locked means locked: the right password does not get through either, nor does it reset the lock.
    expect((await change(token, password)).status).toBe(429);
    await t.server.core.admin.unlock(userId);
  });

  it('a user without a factor: the current password is the proof, and guessing it is throttled the same way', async () => {
    const email = uniqueEmail('plainoracle');
    await t.request('POST', '/v1/users', { body: { email, password: 'the real password' } });
    const { token, user } = (await t.request('POST', '/v1/sessions', { body: { login: email, password: 'the real password' } })).body;
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await change(token, `not it ${i}`)).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
    expect(await failedChecks(user.id)).toBe(10);
  });
});
