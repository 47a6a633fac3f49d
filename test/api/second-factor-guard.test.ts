// The "second factor required" guard over REST, with email codes: challenge details as Rocket.Chat
// describes them, code reuse, the remember-for grace (security.md threat 11: bound to session, user agent
// and IP, never for weakening operations) and the per-code try cap under a parallel burst (threat 3).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProof } from '../../src/core/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const UA = { 'user-agent': 'guard-test/1.0' };

/** A signed-in user with a verified address and email codes turned on. */
async function emailUser() {
  const email = uniqueEmail('email2fa');
  const password = 'codes by mail please';
  const reg = await t.request('POST', '/v1/users', { body: { email, password } });
  const { token } = (await t.request('POST', '/v1/sessions', { body: { login: email, password }, headers: UA })).body;
  const early = await t.request('POST', '/v1/me/email-2fa', { token });
  expect(early.status).toBe(409);
  expect(early.body.error.code).toBe('email_not_verified');
  await t.request('POST', '/v1/email-verification', { body: { token: new URL(t.notices.last('verify-email', email).link).searchParams.get('token') } });
  expect((await t.request('GET', '/v1/me', { token })).body.user.emailCodesEnabled).toBe(false);
  expect((await t.request('POST', '/v1/me/email-2fa', { token })).status).toBe(200);
  expect((await t.request('GET', '/v1/me', { token })).body.user.emailCodesEnabled, 'the user reports it').toBe(true);
  return { email, password, token, userId: reg.body.user.id as string };
}

const lastCode = (email: string) => t.notices.last('email-code', email).code;
const stepUp = (token: string, body: Record<string, unknown>, headers: Record<string, string> = UA) =>
  t.request('POST', '/v1/me/step-up', { token, body: { operation: 'transfer-money', ...body }, headers });

describe('signing in with email codes', () => {
  it('mails a code and completes the transaction with it', async () => {
    const { email, password } = await emailUser();
    const login = await t.request('POST', '/v1/sessions', { body: { login: email, password } });
    expect(login.status).toBe(202);
    expect(login.body.methods).toEqual(['email']);
    const code = lastCode(email);
    const done = await t.request('POST', '/v1/sessions/second-factor', { body: { transactionId: login.body.transactionId, code: `${code.slice(0, 3)}-${code.slice(3)}` } });
    expect(done.status).toBe(201);
  });
});

describe('step-up checks', () => {
  it('challenge with Rocket.Chat details, reuse a live code, then accept it', async () => {
    const { email, token } = await emailUser();
    const first = await stepUp(token, {});
    expect(first.status).toBe(401);
    expect(first.body.error).toMatchObject({
      code: 'second_factor_required',
      details: { method: 'email', codeGenerated: true, emailOrUsername: email, availableMethods: ['email'] },
    });
    const mailsBefore = t.notices.sent.length;
    const second = await stepUp(token, {});
    expect(second.body.error.details).toMatchObject({ method: 'email', codeGenerated: false, codeCount: 1, availableMethods: ['email'] });
    expect(new Date(second.body.error.details.codeExpires[0]).getTime()).toBeGreaterThan(Date.now());
    expect(t.notices.sent.length).toBe(mailsBefore);

    const wrong = await stepUp(token, { code: '000000' });
    expect(wrong.body.error.code).toBe('second_factor_invalid');
    expect((await stepUp(token, { code: lastCode(email) })).body).toEqual({ verified: true });
  });

  it('remember a passed check for the same session, IP and user agent only, and never for weakening operations', async () => {
    const { email, token } = await emailUser();
    await stepUp(token, {});
    expect((await stepUp(token, {}, { 'x-2fa-code': lastCode(email), ...UA })).status).toBe(200);
    expect((await stepUp(token, {})).status).toBe(200);
    expect((await stepUp(token, {}, { 'user-agent': 'another-browser' })).status).toBe(401);
    expect((await stepUp(token, { weakensAccount: true })).status).toBe(401);
    t.clock.advance(1801_000);
    try {
      expect((await stepUp(token, {})).status).toBe(401);
    } finally {
      t.clock.reset();
    }
  });

  it('give a parallel burst of wrong codes no more than 5 tries per code', async () => {
    const { email, token } = await emailUser();
    await stepUp(token, {});
    const code = lastCode(email);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const answers = await Promise.all(Array.from({ length: 20 }, () => stepUp(token, { code: wrong })));
    // Exactly 5 comparisons against the code; every other try is refused before comparing, by the
    // code's own cap or by the account throttle (10 failures lock the account).
    expect(answers.filter((a) => a.body.error.code === 'second_factor_invalid')).toHaveLength(5);
    expect(answers.filter((a) => ['second_factor_max_attempts', 'account_locked'].includes(a.body.error.code))).toHaveLength(15);
    expect(answers.filter((a) => a.body.error.code === 'account_locked').length).toBeGreaterThan(0);
    // The real code is dead too, and the account is locked with a retry time.
    const after = await stepUp(token, { code });
    expect(after.status).toBe(429);
    expect(after.body.error).toMatchObject({ code: 'account_locked', details: { retryAt: expect.any(String), retryAfterSeconds: 900 } });
  });

  it('expire email codes after 10 minutes', async () => {
    const { email, token } = await emailUser();
    await stepUp(token, {});
    const code = lastCode(email);
    t.clock.advance(601_000);
    try {
      expect((await stepUp(token, { code })).body.error.code).toBe('second_factor_invalid');
    } finally {
      t.clock.reset();
    }
  });

  it('prefer TOTP, and honour a caller-named enabled method', async () => {
    const { email, token } = await emailUser();
    // Adding an authenticator needs a proof of the factor the user has (threat 8): the email code.
    const asked = await t.request('POST', '/v1/me/totp', { token, body: {} });
    expect(asked.body.error).toMatchObject({ code: 'second_factor_required', details: { method: 'email' } });
    const enrol = await t.request('POST', '/v1/me/totp', { token, body: { method: 'email', code: lastCode(email) } });
    expect(enrol.status).toBe(201);
    t.clock.advance(30_000);
    await t.request('POST', '/v1/me/totp/confirm', { token, body: { code: authenticatorCode(enrol.body.secret, t.clock) } });
    const challenge = await stepUp(token, {}, { 'user-agent': 'fresh-agent' });
    expect(challenge.body.error.details).toEqual({ method: 'totp', codeGenerated: false, availableMethods: ['totp', 'email'] });
    const byEmail = await stepUp(token, { method: 'email' }, { 'user-agent': 'fresh-agent' });
    expect(byEmail.body.error.details).toMatchObject({ method: 'email', codeGenerated: true });
    expect((await stepUp(token, { method: 'email', code: lastCode(email) }, { 'user-agent': 'fresh-agent' })).status).toBe(200);
    t.clock.reset();
  });
});

describe('turning email codes off', () => {
  it('needs a code answered within the step-up window, never the longer remember-for grace', async () => {
    const { email, token } = await emailUser();
    await stepUp(token, {});
    await stepUp(token, { code: lastCode(email) });
    // Eleven minutes on: app operations still ride on remember-for (30 minutes); a factor change does not.
    t.clock.advance(11 * 60_000);
    try {
      expect((await stepUp(token, {})).status).toBe(200);
      const bare = await t.request('POST', '/v1/me/email-2fa/disable', { token, headers: UA });
      expect(bare.status).toBe(401);
      expect(bare.body.error.code).toBe('second_factor_required');
      const off = await t.request('POST', '/v1/me/email-2fa/disable', { token, headers: UA, body: { code: lastCode(email) } });
      expect(off.status).toBe(204);
      expect(t.notices.last('factor-disabled', email).factor).toBe('email');
      expect((await t.request('GET', '/v1/me', { token })).body.user.emailCodesEnabled).toBe(false);
    } finally {
      t.clock.reset();
    }
  });
});

describe('users without a factor', () => {
  it('prove step-ups and factor changes with their password (hex SHA-256 over DDP and Rocket.Chat REST)', async () => {
    const email = uniqueEmail('nofactor');
    const password = 'just a password';
    const reg = await t.request('POST', '/v1/users', { body: { email, password } });
    const { token } = (await t.request('POST', '/v1/sessions', { body: { login: email, password } })).body;
    // An app's step-up asks a user without a factor for the password (the policy table's rule).
    expect((await stepUp(token, {})).body.error).toMatchObject({ code: 'second_factor_required', details: { method: 'password' } });
    expect((await stepUp(token, { method: 'password', password: 'not it at all' })).body.error.code).toBe('second_factor_invalid');
    expect((await stepUp(token, { method: 'password', password })).status).toBe(200);

    // A factor change needs the password from a user with none (the policy table's rule), as Rocket.Chat's fallback.
    const core = t.server.core;
    const ask = { userId: reg.body.user.id, operation: 'change-email' as const, session: null, context: { client: 'ddp' as const } };
    await expect(core.challenge.require({ ...ask, proof: null })).rejects.toMatchObject({
      code: 'second_factor_required',
      details: { method: 'password', codeGenerated: false, availableMethods: [] },
    });
    const digest = createHash('sha256').update(password).digest('hex');
    await expect(core.challenge.require({ ...ask, proof: parseProof({ code: digest, method: 'password' }, { passwordCode: 'digest' }) })).resolves.toBeTruthy();
  });

  it('send email codes only where they are enabled, and never reveal who exists', async () => {
    const withCodes = await emailUser();
    const without = uniqueEmail('nocodes');
    await t.request('POST', '/v1/users', { body: { email: without, password: 'no codes for me' } });
    const codesTo = (email: string) => t.notices.sent.filter((n) => n.kind === 'email-code' && n.to.includes(email)).length;
    const ask = (emailOrUsername: string) => t.request('POST', '/v1/email-codes', { body: { emailOrUsername } });
    const before = codesTo(withCodes.email);

    // Three callers, one answer: a user with email codes, one without, and nobody at all.
    const answers = await Promise.all([ask(withCodes.email), ask(without), ask(uniqueEmail('nobody'))]);
    for (const answer of answers) expect({ status: answer.status, body: answer.body }).toEqual({ status: 202, body: { sent: true } });
    // Only the first gets a mail (sent after the answer, so the answer's timing says nothing either).
    await expect.poll(() => codesTo(withCodes.email)).toBe(before + 1);
    expect(codesTo(without)).toBe(0);
  });
});
