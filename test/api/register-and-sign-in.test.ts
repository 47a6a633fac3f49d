import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function register(email = uniqueEmail(), password = 'correct horse battery') {
  const res = await t.request('POST', '/v1/users', { body: { email, password } });
  expect(res.status).toBe(201);
  return { email, password, user: res.body.user };
}

async function signIn(login: string, password: string) {
  return t.request('POST', '/v1/sessions', { body: { login, password }, headers: { 'user-agent': 'vitest' } });
}

describe('register', () => {
  it('creates an account with a normalised email and mails a verification link', async () => {
    const email = uniqueEmail('Jack.Daniels').replace('example.test', 'Example.TEST');
    const res = await t.request('POST', '/v1/users', { body: { email, password: 'DontDrinkAndDrive' } });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email, emailVerified: false, username: null });
    expect(res.body.user).not.toHaveProperty('password');
    expect(res.body.verificationMailSent).toBe(true);
    expect(t.notices.last('verify-email', email).link).toMatch(/\/v1\/email-verification\/confirm\?token=/);
  });

  it('makes no second account for the same address, whatever its case, and does not say so (REGISTRATION_PRIVACY)', async () => {
    const { email } = await register();
    const res = await t.request('POST', '/v1/users', { body: { email: email.toUpperCase(), password: 'another password' } });
    expect(res.status).toBe(201);
    expect(t.notices.last('registration-attempt', email)).toBeTruthy();
    // The address's account is unchanged: its own password still signs in, the other does not.
    expect((await t.request('POST', '/v1/sessions', { body: { login: email, password: 'another password' } })).status).toBe(401);
  });

  it('accepts an optional username, unique without regard to case', async () => {
    const name = `jack${Date.now().toString(36)}`;
    const first = await t.request('POST', '/v1/users', { body: { email: uniqueEmail(), password: 'password one', username: name } });
    expect(first.status).toBe(201);
    const second = await t.request('POST', '/v1/users', { body: { email: uniqueEmail(), password: 'password two', username: name.toUpperCase() } });
    expect(second.body.error.code).toBe('user_exists');
  });

  it.each([
    [{ email: 'not-an-email', password: 'long enough' }, 400, 'invalid_email'],
    [{ email: 'a@b', password: 'short' }, 400, 'weak_password'],
    [{ email: 'a@b.test', password: '        ' }, 400, 'weak_password'],
    [{ email: 'a@b.test', password: '' }, 400, 'missing_password'],
    [{ email: 'a@b.test', password: 'x'.repeat(257) }, 400, 'weak_password'],
    [{ email: 'a@b.test' }, 400, 'validation_failed'],
    [{ email: 42, password: 'long enough' }, 400, 'validation_failed'],
    [{ email: 'a@b.test', password: 'long enough', admin: true }, 400, 'validation_failed'],
    [{ email: 'a@b.test', password: 'long enough', username: 'no spaces please' }, 400, 'invalid_username'],
  ])('rejects %j with %i %s', async (body, status, code) => {
    const res = await t.request('POST', '/v1/users', { body });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toBeTruthy();
  });

  it('answers malformed JSON, a wrong media type and an oversized body with typed 4xx errors', async () => {
    expect((await t.request('POST', '/v1/users', { body: '{"email": ' })).body.error.code).toBe('invalid_json');
    const wrongType = await t.request('POST', '/v1/users', { body: '<email/>', headers: { 'content-type': 'application/xml' } });
    expect(wrongType.status).toBe(415);
    const huge = await t.request('POST', '/v1/users', { body: { email: 'a@b.test', password: 'x'.repeat(100_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('body_too_large');
  });

  it('answers unknown routes with not_found', async () => {
    const res = await t.request('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('sign in', () => {
  it('issues an opaque session token that identifies the user', async () => {
    const { email, password, user } = await register();
    const res = await signIn(email, password);
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const me = await t.request('GET', '/v1/me', { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(user.id);
  });

  it('signs in by username too', async () => {
    const username = `jill${Date.now().toString(36)}`;
    await t.request('POST', '/v1/users', { body: { email: uniqueEmail(), password: 'fetch a pail', username } });
    expect((await signIn(username.toUpperCase(), 'fetch a pail')).status).toBe(201);
  });

  it('gives the same answer for an unknown user and a wrong password', async () => {
    const { email } = await register();
    const wrongPassword = await signIn(email, 'wrong password!');
    const unknownUser = await signIn(uniqueEmail('nobody'), 'wrong password!');
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(unknownUser.body).toEqual(wrongPassword.body);
    expect(wrongPassword.body.error.code).toBe('invalid_credentials');
  });

  it('refuses a missing or bogus token', async () => {
    expect((await t.request('GET', '/v1/me')).body.error.code).toBe('not_authenticated');
    expect((await t.request('GET', '/v1/me', { token: 'bogus' })).status).toBe(401);
  });

  it('refuses a disabled account, and a disabled account loses its sessions', async () => {
    const { email, password, user } = await register();
    const { token } = (await signIn(email, password)).body;
    await t.server.core.admin.setDisabled(user.id, true);
    expect((await t.request('GET', '/v1/me', { token })).status).toBe(401);
    const res = await signIn(email, password);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('user_disabled');
  });
});

describe('sessions', () => {
  it('ends with sign-out: the token stops working', async () => {
    const { email, password } = await register();
    const { token } = (await signIn(email, password)).body;
    expect((await t.request('DELETE', '/v1/sessions/current', { token })).status).toBe(204);
    expect((await t.request('GET', '/v1/me', { token })).status).toBe(401);
    expect((await t.request('DELETE', '/v1/sessions/current', { token })).status).toBe(401);
  });

  it('lists my live sessions and revokes another one', async () => {
    const { email, password } = await register();
    const laptop = (await signIn(email, password)).body;
    const phone = (await signIn(email, password)).body;
    const list = await t.request('GET', '/v1/me/sessions', { token: laptop.token });
    expect(list.body.sessions).toHaveLength(2);
    expect(list.body.sessions.find((s: { current: boolean }) => s.current).id).toBe(laptop.session.id);
    expect(list.body.sessions[0]).toMatchObject({ userAgent: 'vitest', client: 'rest' });

    expect((await t.request('DELETE', `/v1/me/sessions/${phone.session.id}`, { token: laptop.token })).status).toBe(204);
    expect((await t.request('GET', '/v1/me', { token: phone.token })).status).toBe(401);
    expect((await t.request('GET', '/v1/me', { token: laptop.token })).status).toBe(200);
  });

  it('signs out all my other sessions after a proof (the password, for an account without a second factor)', async () => {
    const { email, password } = await register();
    const laptop = (await signIn(email, password)).body;
    const phone = (await signIn(email, password)).body;
    const revokeOthers = (body: Record<string, unknown>) => t.request('POST', '/v1/me/sessions/revoke-others', { token: laptop.token, body });

    // A stolen session alone must not sign the owner out everywhere else: past the step-up window of its sign-in
    // (the password, just typed, counts within it), the policy row asks for a proof.
    t.clock.advance(601_000);
    const bare = await revokeOthers({});
    expect(bare.status).toBe(401);
    expect(bare.body.error).toMatchObject({ code: 'second_factor_required', details: { method: 'password' } });
    expect((await revokeOthers({ method: 'password', password: 'not the password' })).body.error.code).toBe('second_factor_invalid');
    expect((await t.request('GET', '/v1/me', { token: phone.token })).status).toBe(200);

    expect((await revokeOthers({ method: 'password', password })).status).toBe(204);
    expect((await t.request('GET', '/v1/me', { token: phone.token })).status).toBe(401);
    expect((await t.request('GET', '/v1/me', { token: laptop.token })).status).toBe(200);
    t.clock.reset();
  });

  it("cannot revoke someone else's session", async () => {
    const a = await register();
    const b = await register();
    const aSession = (await signIn(a.email, a.password)).body;
    const bSession = (await signIn(b.email, b.password)).body;
    const res = await t.request('DELETE', `/v1/me/sessions/${aSession.session.id}`, { token: bSession.token });
    expect(res.status).toBe(404);
    expect((await t.request('GET', '/v1/me', { token: aSession.token })).status).toBe(200);
  });

  it('expires: a token past its lifetime is refused with session_expired', async () => {
    const { email, password } = await register();
    const { token } = (await signIn(email, password)).body;
    t.clock.advance(31 * 24 * 3600 * 1000);
    try {
      const res = await t.request('GET', '/v1/me', { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('session_expired');
    } finally {
      t.clock.reset();
    }
  });
});

describe('policy', () => {
  it('tells clients the password rule and the lifetimes they show, as configured', async () => {
    const policy = await t.request('GET', '/v1/policy');
    expect(policy.status).toBe(200);
    expect(policy.body).toEqual({
      passwordMinLength: 8,
      passwordMaxLength: 256,
      emailCodeTtlSeconds: 600,
      stepUpWindowSeconds: 600,
      rememberDeviceDays: 30,
      requireEmailConfirmation: false,
      passwordResetLinkSeconds: 1800,
    });
    const weak = await t.request('POST', '/v1/users', { body: { email: uniqueEmail(), password: 'short' } });
    expect(weak.body.error.details, 'a refused password names the same rule').toMatchObject({ minLength: 8, maxLength: 256 });

    const other = await startTestServer({ EMAIL_CODE_TTL_SECONDS: '300', TRUSTED_DEVICE_DAYS: '0', REQUIRE_EMAIL_CONFIRMATION: 'true' });
    try {
      expect((await other.request('GET', '/v1/policy')).body).toMatchObject({ emailCodeTtlSeconds: 300, rememberDeviceDays: 0, requireEmailConfirmation: true });
    } finally {
      await other.close();
    }
  });
});

describe('health', () => {
  it('answers liveness and readiness', async () => {
    expect((await t.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await t.request('GET', '/readyz')).body).toEqual({ status: 'ready' });
  });

  it('serves the OpenAPI document and the interactive docs', async () => {
    const doc = await t.request('GET', '/docs/json');
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/users', '/v1/sessions', '/v1/me']));
    const ui = await fetch(`${t.url}/docs/`);
    expect(ui.status).toBe(200);
  });
});
