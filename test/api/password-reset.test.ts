// "Forgot my password" on the native API: POST /v1/password-resets mails a single-use link to the account page,
// POST /v1/password-resets/confirm sets the new password with its token. A reset proves the mailbox, never the
// second factor; it ends every session, remembered device and pending sign-in, and the user is told.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { enrolledUser, startLogin, verify } from '../helpers/accounts.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** Asks for a link and reads the token the page would take from the mailed URL's fragment. */
async function resetToken(email: string, server: TestServer = t): Promise<string> {
  const before = server.notices.sent.length;
  expect((await server.request('POST', '/v1/password-resets', { body: { email } })).status).toBe(202);
  const mail = await vi.waitFor(() => {
    const found = server.notices.sent.slice(before).find((n) => n.kind === 'password-reset' && n.to === email);
    if (!found || found.kind !== 'password-reset') throw new Error('no reset mail yet');
    return found;
  });
  const url = new URL(mail.link);
  expect(`${url.origin}${url.pathname}${url.search}`).toBe(`${server.url}/`);
  return decodeURIComponent(url.hash.replace(/^#reset=/, ''));
}

const reset = (token: string, password: string) => t.request('POST', '/v1/password-resets/confirm', { body: { token, password } });
const signIn = (login: string, password: string) => t.request('POST', '/v1/sessions', { body: { login, password } });

describe('a password reset', () => {
  it('sets the new password through the mailed link, ends every session, and tells the user', async () => {
    const email = uniqueEmail('forgot');
    await t.request('POST', '/v1/users', { body: { email, password: 'the old password' } });
    const { token: session } = (await signIn(email, 'the old password')).body;

    const token = await resetToken(email);
    const lifeMs = t.notices.last('password-reset', email).expiresAt.getTime() - t.clock.now().getTime();
    expect(lifeMs).toBeGreaterThan(29 * 60_000);
    expect(lifeMs).toBeLessThanOrEqual(30 * 60_000);
    expect((await reset(token, 'the new password')).status).toBe(204);

    expect((await t.request('GET', '/v1/me', { token: session })).status).toBe(401);
    expect((await signIn(email, 'the old password')).body.error.code).toBe('invalid_credentials');
    const after = await signIn(email, 'the new password');
    expect(after.status).toBe(201);
    expect(t.notices.last('password-changed', email)).toMatchObject({ reset: true });
    // Following the link proved the address.
    expect(after.body.user.emailVerified).toBe(true);
    const events = (await t.request('GET', '/v1/me/events?limit=20', { token: after.body.token })).body.events.map((e: { kind: string }) => e.kind);
    expect(events).toEqual(expect.arrayContaining(['password_reset_requested', 'password_reset', 'sessions_revoked']));
  });

  it('answers the same for an unknown address, and mails nothing there', async () => {
    const email = uniqueEmail('exists');
    await t.request('POST', '/v1/users', { body: { email, password: 'I am registered' } });
    const known = await t.request('POST', '/v1/password-resets', { body: { email } });
    const ghost = uniqueEmail('ghost');
    const unknown = await t.request('POST', '/v1/password-resets', { body: { email: ghost } });
    expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
    expect(known.body).toEqual({ linkValidSeconds: 1800 });
    await vi.waitFor(() => t.notices.last('password-reset', email));
    expect(t.notices.sent.some((n) => n.to === ghost)).toBe(false);
    expect((await t.request('POST', '/v1/password-resets', { body: { email: 'not an address' } })).body.error.code).toBe('invalid_email');
  });

  it('never bypasses the second factor: a 2FA user is still asked for it, and a sign-in begun before dies', async () => {
    const { email, password, secret } = await enrolledUser(t, 'reset-2fa');
    const pending = await startLogin(t, email, password);
    await reset(await resetToken(email), 'a reset password');
    const login = await signIn(email, 'a reset password');
    expect(login.status).toBe(202);
    expect(login.body).toMatchObject({ secondFactorRequired: true });
    t.clock.advance(30_000);
    expect((await verify(t, pending, authenticatorCode(secret, t.clock))).body.error.code).toBe('transaction_locked');
    expect((await verify(t, login.body.transactionId, authenticatorCode(secret, t.clock))).status).toBe(201);
  });

  it('has a link that works once, and ends the other links of the account', async () => {
    const email = uniqueEmail('once');
    await t.request('POST', '/v1/users', { body: { email, password: 'first password' } });
    const older = await resetToken(email);
    const newer = await resetToken(email);
    expect((await reset(newer, 'second password')).status).toBe(204);
    expect((await reset(newer, 'third password')).body.error.code).toBe('reset_token_invalid');
    expect((await reset(older, 'third password')).body.error.code).toBe('reset_token_invalid');
    expect((await signIn(email, 'second password')).status).toBe(201);
  });

  it('sets one password when the link is used many times at once', async () => {
    const email = uniqueEmail('burst');
    await t.request('POST', '/v1/users', { body: { email, password: 'first password' } });
    const token = await resetToken(email);
    const passwords = Array.from({ length: 8 }, (_, i) => `burst password ${i}`);
    const answers = await Promise.all(passwords.map((password) => reset(token, password)));
    expect(answers.filter((a) => a.status === 204)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400).every((a) => a.body.error.code === 'reset_token_invalid')).toBe(true);
    const winner = passwords[answers.findIndex((a) => a.status === 204)]!;
    expect((await signIn(email, winner)).status).toBe(201);
  });

  it('has a link that expires after 30 minutes', async () => {
    const email = uniqueEmail('late');
    await t.request('POST', '/v1/users', { body: { email, password: 'first password' } });
    const token = await resetToken(email);
    t.clock.advance(30 * 60_000 + 1000);
    try {
      expect((await reset(token, 'too late now')).body.error).toMatchObject({ code: 'reset_token_invalid' });
    } finally {
      t.clock.reset();
    }
  });

  it('keeps the link when the new password breaks the policy', async () => {
    const email = uniqueEmail('weak');
    await t.request('POST', '/v1/users', { body: { email, password: 'first password' } });
    const token = await resetToken(email);
    expect((await reset(token, 'short')).body.error.code).toBe('weak_password');
    expect((await reset(token, 'long enough now')).status).toBe(204);
    expect((await reset('made-up-token', 'long enough now')).body.error.code).toBe('reset_token_invalid');
  });

  it('mails nothing to a disabled account', async () => {
    const email = uniqueEmail('disabled');
    const { body } = await t.request('POST', '/v1/users', { body: { email, password: 'first password' } });
    await t.server.core.admin.setDisabled(body.user.id, true);
    expect((await t.request('POST', '/v1/password-resets', { body: { email } })).status).toBe(202);
    // Decided before the answer (only the mailing of a link comes after it): nothing is on its way.
    expect(t.notices.sent.some((n) => n.kind === 'password-reset' && n.to === email)).toBe(false);
  });
});

describe('asking for reset links', () => {
  it('is limited per address (5 an hour), for unknown addresses alike, and per IP', async () => {
    const server = await startTestServer({ RATE_LIMITS: 'true', RATE_LIMIT_ACCOUNT_MAIL: '8/60' });
    try {
      const ask = (email: string) => server.request('POST', '/v1/password-resets', { body: { email } });
      const ghost = uniqueEmail('flood');
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push((await ask(ghost)).status);
      expect(answers).toEqual([202, 202, 202, 202, 202, 429]);
      expect((await ask(ghost)).body.error).toMatchObject({ code: 'rate_limited', details: { rule: 'accountMailTarget' } });
      // Eight from this IP in the minute, the refused ones included: the ninth is refused whatever the address.
      expect((await ask(uniqueEmail('other'))).status).toBe(202);
      expect((await ask(uniqueEmail('other'))).body.error).toMatchObject({ code: 'rate_limited', details: { rule: 'accountMail' } });
    } finally {
      await server.close();
    }
  });
});
