// Rocket.Chat's REST API (shared/spec/rocketchat.md, "Rocket.Chat's REST API") as its own clients use it:
// the request sequence of its React Native app's sign-in, and its REST client `@rocket.chat/api-client`
// (credentials headers, the 400 `totp-required` → `x-2fa-code` retry, bodiless JSON posts, `method.call`).
import { RestClient } from '@rocket.chat/api-client';
import EJSON from 'ejson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolledUser } from '../helpers/accounts.ts';
import { connectSimpleDdp, ddpError, sha256, type SimpleDdpClient } from '../helpers/ddp-clients.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { codesStored, credentials, emailCodeUser, mailCount, mailedCode, rocketRest, totpUser, verifiedUser } from './helpers.ts';

let t: TestServer;
const ddpClients: SimpleDdpClient[] = [];
const swallow = () => undefined;
beforeAll(async () => {
  // simpleddp rejects some internal promises on disconnect; they must not fail the run.
  process.on('unhandledRejection', swallow);
  t = await startTestServer();
});
afterAll(async () => {
  for (const client of ddpClients) await client.disconnect().catch(() => undefined);
  await t.close();
  process.off('unhandledRejection', swallow);
});

const STEP_UP_WINDOW_MS = 600_000;
const nextStep = () => t.clock.advance(30_000);

/** `@rocket.chat/api-client` pointed at twofold: it puts `/api` in front of `/v1/...` itself. */
function restClient(login?: { userId: string; authToken: string }) {
  const client = new RestClient({ baseUrl: t.url });
  if (login) client.setCredentials(credentials(login));
  return client;
}

/** What a rejected api-client call carries: the HTTP response (the client rejects with it). */
async function rejection(call: Promise<unknown>): Promise<{ status: number; body: any }> {
  const response = (await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  )) as Response;
  return { status: response.status, body: await response.json() };
}

async function restLogin(body: Record<string, unknown>) {
  const answer = await rocketRest(t, 'POST', 'login', { body });
  expect(answer.status).toBe(200);
  return answer.body.data as { userId: string; authToken: string; me: any };
}

describe("the React Native app's sign-in", () => {
  it('TOTP user: login → 401 totp-required → login with the code → /me', async () => {
    const { email, password, secret } = await enrolledUser(t, 'rn-totp');
    // The app (app/lib/services/connect.ts: loginWithPassword → loginTOTP) posts the typed user and password as
    // JSON through its SDK, the password in the clear.
    const first = await rocketRest(t, 'POST', 'login', { body: { user: email, password } });
    // A 401 whose body says `totp-required` makes it show its code prompt for `details.method`.
    expect(first.status).toBe(401);
    expect(first.body).toEqual({
      success: false,
      status: 'error',
      error: 'totp-required',
      details: { method: 'totp', codeGenerated: false, availableMethods: ['totp'] },
      message: 'TOTP Required',
    });
    // With the code typed, it posts the same user and password again, the code beside them (Rocket.Chat ≥ 3.9 form).
    nextStep();
    const second = await rocketRest(t, 'POST', 'login', { body: { user: email, password, code: authenticatorCode(secret, t.clock) } });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'success', success: true, data: { userId: expect.any(String), authToken: expect.any(String) } });
    expect(second.body.data.me).toMatchObject({ _id: second.body.data.userId, emails: [{ address: email, verified: false }] });
    // It keeps userId and authToken as X-User-Id / X-Auth-Token and reads the user from /me.
    const me = await rocketRest(t, 'GET', 'me', { headers: credentials(second.body.data) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ _id: second.body.data.userId, success: true, services: { totp: { enabled: true }, email2fa: { enabled: false } } });
    expect(JSON.stringify(me.body)).not.toMatch(/secret|hash/i);
  });

  it('email-code user: the challenge mails a code, "resend" asks users.2fa.sendEmailCode, the code as mailed signs in', async () => {
    const { email, username, password } = await emailCodeUser(t, 'rnemail');
    const first = await rocketRest(t, 'POST', 'login', { body: { user: username, password } });
    expect(first.status).toBe(401);
    expect(first.body.details).toEqual({ method: 'email', codeGenerated: true, emailOrUsername: username, availableMethods: ['email'] });
    // Mails leave after the answer, and other tests' mails share the list: count this address's, waiting for it.
    await mailCount(t, email, 1);
    // The app's prompt offers "send me the code again", with the username it remembered from the form.
    const resend = await rocketRest(t, 'POST', 'users.2fa.sendEmailCode', { body: { emailOrUsername: username } });
    expect(resend).toEqual({ status: 200, body: { success: true } });
    await mailCount(t, email, 2);
    await codesStored(email, 2);
    // The code typed as the mail shows it, with its hyphen.
    const code = mailedCode(t, email);
    expect(code).toMatch(/^\d{3}-\d{3}$/);
    const second = await rocketRest(t, 'POST', 'login', { body: { user: username, password, code } });
    expect(second.status).toBe(200);
    const me = await rocketRest(t, 'GET', 'me', { headers: credentials(second.body.data) });
    expect(me.body.services).toMatchObject({ email2fa: { enabled: true }, totp: { enabled: false } });
  });
});

describe('POST /api/v1/login', () => {
  it('takes username or email keys, a `{digest, algorithm}` password, the code in x-2fa-code, a form body, and {resume}', async () => {
    const { email, username, password, secret } = await totpUser(t, 'keys');
    nextStep();
    const viaHeader = await rocketRest(t, 'POST', 'login', {
      body: { username, password: { digest: sha256(password), algorithm: 'sha-256' } },
      headers: { 'x-2fa-code': authenticatorCode(secret, t.clock) },
    });
    expect(viaHeader.status).toBe(200);
    nextStep();
    const form = await rocketRest(t, 'POST', 'login', {
      body: new URLSearchParams({ email, password, code: authenticatorCode(secret, t.clock) }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
    const resumed = await restLogin({ resume: form.body.data.authToken });
    expect(resumed.authToken).toBe(form.body.data.authToken);
    // Meteor's own login request, as DDP takes it, is accepted too (Rocket.Chat hands other bodies to `login`).
    nextStep();
    const meteor = await rocketRest(t, 'POST', 'login', {
      body: { totp: { login: { user: { email }, password: { digest: sha256(password), algorithm: 'sha-256' } }, code: authenticatorCode(secret, t.clock) } },
    });
    expect(meteor.status).toBe(200);
  });

  it('answers bad credentials, a wrong code and an unknown request as Rocket.Chat does: 401 with the Meteor error', async () => {
    const { email, password } = await enrolledUser(t, 'rest-bad');
    expect(await rocketRest(t, 'POST', 'login', { body: { user: email, password: 'not the password' } })).toEqual({
      status: 401,
      body: { success: false, status: 'error', error: 403, message: 'Something went wrong. Please check your credentials.' },
    });
    const wrong = await rocketRest(t, 'POST', 'login', { body: { user: email, password, code: '000000' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ success: false, status: 'error', error: 'totp-invalid', message: 'TOTP Invalid', details: { method: 'totp' } });
    const unknown = await rocketRest(t, 'POST', 'login', { body: { nothing: true } });
    expect(unknown).toEqual({ status: 401, body: { success: false, status: 'error', error: 400, message: 'Unrecognized options for login request' } });
    expect(await rocketRest(t, 'POST', 'login', { body: { resume: 'no such token' } })).toEqual({
      status: 401,
      body: { success: false, status: 'error', error: 403, message: "You've been logged out by the server. Please log in again." },
    });
  });
});

describe('@rocket.chat/api-client', () => {
  it('reads /me with the login it was given, and is refused without one', async () => {
    const { username, password } = await verifiedUser(t, 'client');
    const login = await restLogin({ user: username, password });
    const me = await restClient(login).get('/v1/me');
    expect(me).toMatchObject({ _id: login.userId, username, success: true });
    expect(await rejection(restClient().get('/v1/me'))).toEqual({
      status: 401,
      body: { success: false, status: 'error', error: 'You must be logged in to do this.', message: 'You must be logged in to do this.' },
    });
    // The token must be a session of the user X-User-Id names.
    const other = await verifiedUser(t, 'other');
    expect((await rejection(restClient({ userId: other.userId, authToken: login.authToken }).get('/v1/me'))).status).toBe(401);
  });

  it('meets 400 totp-required on users.2fa.enableEmail, asks its handler for the code and retries with x-2fa-code', async () => {
    const { email, username, password, secret } = await totpUser(t, 'enable');
    nextStep();
    const login = await restLogin({ user: username, password, code: authenticatorCode(secret, t.clock) });
    // Past the step-up window, turning a factor on needs a fresh proof of the authenticator.
    t.clock.advance(STEP_UP_WINDOW_MS + 1000);
    const client = restClient(login);
    const asked: unknown[] = [];
    client.handleTwoFactorChallenge(async (challenge) => {
      asked.push(challenge);
      nextStep();
      return asked.length === 1 ? '000000' : authenticatorCode(secret, t.clock);
    });
    // No params: the client posts `Content-Type: application/json` with no body at all.
    expect(await client.post('/v1/users.2fa.enableEmail')).toEqual({ success: true });
    // The wrong first answer came back as 400 totp-invalid, which the client reports as an invalid attempt.
    expect(asked).toEqual([
      { method: 'totp', emailOrUsername: undefined, invalidAttempt: false },
      { method: 'totp', emailOrUsername: undefined, invalidAttempt: true },
    ]);
    expect((await client.get('/v1/me')).services).toMatchObject({ email2fa: { enabled: true }, totp: { enabled: true } });
    expect(t.notices.last('factor-enabled', email).factor).toBe('email');
  });

  it('users.2fa.disableEmail, past the step-up window, asks for the mailed code (with emailOrUsername for "resend")', async () => {
    const { email, username, password } = await emailCodeUser(t, 'disable');
    const mailed = t.notices.sent.length;
    const challenged = await rocketRest(t, 'POST', 'login', { body: { user: username, password } });
    expect(challenged.body.details.codeGenerated).toBe(true);
    const login = await restLogin({ user: username, password, code: mailedCode(t, email) });
    expect(t.notices.sent.length).toBeGreaterThan(mailed);
    t.clock.advance(STEP_UP_WINDOW_MS + 1000);
    const client = restClient(login);
    const asked: Array<{ method: string; emailOrUsername?: string }> = [];
    client.handleTwoFactorChallenge(async (challenge) => {
      asked.push(challenge);
      return mailedCode(t, email);
    });
    expect(await client.post('/v1/users.2fa.disableEmail')).toEqual({ success: true });
    expect(asked).toEqual([{ method: 'email', emailOrUsername: username, invalidAttempt: false }]);
    expect((await client.get('/v1/me')).services?.email2fa).toEqual({ enabled: false });
  });

  it("a user with no factor proves a factor change with the password's SHA-256 (Rocket.Chat's password fallback)", async () => {
    const { username, password } = await verifiedUser(t, 'fallback');
    const login = await restLogin({ user: username, password });
    t.clock.advance(STEP_UP_WINDOW_MS + 1000);
    const client = restClient(login);
    const asked: unknown[] = [];
    client.handleTwoFactorChallenge(async (challenge) => {
      asked.push(challenge);
      // Rocket.Chat's web client sends the password's hex SHA-256 for the `password` method.
      return sha256(password);
    });
    expect(await client.post('/v1/users.2fa.enableEmail')).toEqual({ success: true });
    expect(asked).toEqual([{ method: 'password', emailOrUsername: undefined, invalidAttempt: false }]);
    // The 400 the client saw, as a plain request shows it.
    const other = await verifiedUser(t, 'fallback2');
    const plainLogin = await restLogin({ user: other.username, password: other.password });
    t.clock.advance(STEP_UP_WINDOW_MS + 1000);
    expect(await rocketRest(t, 'POST', 'users.2fa.enableEmail', { headers: credentials(plainLogin) })).toEqual({
      status: 400,
      body: {
        success: false,
        error: 'TOTP Required [totp-required]',
        errorType: 'totp-required',
        details: { method: 'password', codeGenerated: false, availableMethods: [] },
      },
    });
  });

  it('users.2fa.sendEmailCode answers known and unknown users alike, and names a missing parameter', async () => {
    const { email, username } = await emailCodeUser(t, 'sendcode');
    const client = restClient();
    expect(await client.post('/v1/users.2fa.sendEmailCode', { emailOrUsername: username })).toEqual({ success: true });
    expect(await client.post('/v1/users.2fa.sendEmailCode', { emailOrUsername: email.toUpperCase() })).toEqual({ success: true });
    expect(await client.post('/v1/users.2fa.sendEmailCode', { emailOrUsername: 'nobody-by-this-name' })).toEqual({ success: true });
    expect(await client.post('/v1/users.2fa.sendEmailCode', { emailOrUsername: uniqueEmail('ghost') })).toEqual({ success: true });
    await mailCount(t, email, 2);
    expect(await rejection(client.post('/v1/users.2fa.sendEmailCode', { emailOrUsername: '' }))).toEqual({
      status: 400,
      body: {
        success: false,
        error: 'emailOrUsername is a required parameter [error-parameter-required]',
        errorType: 'error-parameter-required',
        details: { method: 'sendEmailCode' },
      },
    });
  });

  it("lets browser apps send Rocket.Chat's credential and code headers cross-origin", async () => {
    const preflight = await fetch(`${t.url}/api/v1/me`, {
      method: 'OPTIONS',
      headers: { origin: 'https://chat.example.org', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-user-id,x-auth-token,x-2fa-code,x-2fa-method' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-user-id.*x-auth-token|x-auth-token.*x-user-id/);
  });

  it('logout (POST, and GET) ends the token everywhere', async () => {
    const { username, password } = await verifiedUser(t, 'logout');
    const first = await restLogin({ user: username, password });
    expect(await restClient(first).post('/v1/logout')).toEqual({ status: 'success', data: { message: "You've been logged out!" }, success: true });
    expect((await rejection(restClient(first).get('/v1/me'))).status).toBe(401);
    const second = await restLogin({ user: username, password });
    expect((await rocketRest(t, 'GET', 'logout', { headers: credentials(second) })).status).toBe(200);
    expect((await rocketRest(t, 'GET', 'me', { headers: credentials(second) })).status).toBe(401);
  });
});

/**
 * `RestClient.post` for `method.call/<method>`, as Rocket.Chat's web client calls it (its endpoint typings know the
 * route by its `:method` pattern only).
 */
const postCall = (client: RestClient, path: string, body: unknown, options?: RequestInit) =>
  (client.post as unknown as (endpoint: string, params: unknown, options?: RequestInit) => Promise<{ message: string }>).call(client, path, body, options);

describe('method.call and method.callAnon', () => {
  const envelope = (method: string, params: unknown[], id = '7') => ({ message: EJSON.stringify({ msg: 'method', id, method, params }) });
  const result = (answer: { message: string }) => EJSON.parse(answer.message) as { msg: string; id: string; result?: any; error?: any };

  it('callAnon runs DDP login; method.call runs a method as that user, with the result as EJSON', async () => {
    const { username, password } = await verifiedUser(t, 'callanon');
    const client = restClient();
    const login = result(await postCall(client, '/v1/method.callAnon/login', envelope('login', [{ user: { username }, password: { digest: sha256(password), algorithm: 'sha-256' } }])));
    expect(login).toMatchObject({ msg: 'result', id: '7', result: { id: expect.any(String), token: expect.any(String), type: 'password' } });
    expect(login.result.tokenExpires).toBeInstanceOf(Date);
    const signedIn = restClient({ userId: login.result.id, authToken: login.result.token });
    const answer = result(await postCall(signedIn, '/v1/method.call/2fa:checkCodesRemaining', envelope('2fa:checkCodesRemaining', [])));
    expect(answer.error).toMatchObject({ isClientSafe: true, error: 'invalid-totp', errorType: 'Meteor.Error' });
    // An unknown method is DDP's 404, inside the envelope.
    expect(result(await postCall(signedIn, '/v1/method.call/nope', envelope('nope', []))).error).toMatchObject({ error: 404, reason: "Method 'nope' not found" });
  });

  it('a protected method answers totp-required inside the envelope; x-2fa-code / x-2fa-method headers or callWithTwoFactorRequired prove it', async () => {
    const { username, password } = await verifiedUser(t, 'callproof');
    const login = await restLogin({ user: username, password });
    t.clock.advance(STEP_UP_WINDOW_MS + 1000);
    const client = restClient(login);
    const challenged = result(await postCall(client, '/v1/method.call/2fa:enable', envelope('2fa:enable', [])));
    expect(challenged.error).toMatchObject({
      error: 'totp-required',
      reason: 'TOTP Required',
      details: { method: 'password', codeGenerated: false, availableMethods: [] },
      message: 'TOTP Required [totp-required]',
      errorType: 'Meteor.Error',
    });
    const proved = result(
      await postCall(client, '/v1/method.call/2fa:enable', envelope('2fa:enable', []), { headers: { 'x-2fa-code': sha256(password), 'x-2fa-method': 'password' } }),
    );
    expect(proved.result).toMatchObject({ secret: expect.any(String), url: expect.stringMatching(/^otpauth:\/\/totp\//) });
    nextStep();
    const confirmed = result(
      await postCall(
        client,
        '/v1/method.call/callWithTwoFactorRequired',
        envelope('callWithTwoFactorRequired', [
          { code: sha256(password), method: 'password', ddpMethod: '2fa:validateTempToken', params: [authenticatorCode(proved.result.secret, t.clock)] },
        ]),
      ),
    );
    expect(confirmed.result.codes).toHaveLength(12);
  });

  it('refuses what is not a method call: 400 "Invalid method call", and 401 for method.call without a login', async () => {
    const { username, password } = await verifiedUser(t, 'callbad');
    const login = await restLogin({ user: username, password });
    const invalid = { status: 400, body: { success: false, error: 'Invalid method call' } };
    const post = (path: string, body: unknown) => rocketRest(t, 'POST', path, { body, headers: credentials(login) });
    expect(await post('method.call/sendEmailCode', { message: 'not json' })).toEqual(invalid);
    expect(await post('method.call/sendEmailCode', { message: JSON.stringify({ msg: 'method', id: '1', method: 'sendEmailCode' }) })).toEqual(invalid);
    expect(await post('method.call/sendEmailCode', { message: JSON.stringify({ msg: 'method', id: '1', method: 'sendEmailCode', params: [], extra: 1 }) })).toEqual(invalid);
    expect(await post('method.call/sendEmailCode', { ...envelope('sendEmailCode', []), extra: 1 })).toEqual(invalid);
    // The URL names the method that runs.
    expect(await post('method.call/sendEmailCode', envelope('logout', []))).toEqual(invalid);
    expect((await rocketRest(t, 'POST', 'method.call/logout', { body: envelope('logout', []) })).status).toBe(401);
  });
});

describe('one session on both wires', () => {
  async function ddpClient() {
    const client = await connectSimpleDdp(t.wsUrl);
    ddpClients.push(client);
    return client;
  }

  it('a REST login resumes over DDP; a REST logout ends the DDP connection’s session', async () => {
    const { email, password, secret } = await enrolledUser(t, 'rest2ddp');
    nextStep();
    const login = await restLogin({ user: email, password, code: authenticatorCode(secret, t.clock) });
    const ddp = await ddpClient();
    expect(await ddp.login({ resume: login.authToken })).toMatchObject({ id: login.userId, type: 'resume' });
    expect(await ddp.call('2fa:checkCodesRemaining')).toEqual({ remaining: 12 });
    expect((await rocketRest(t, 'POST', 'logout', { headers: credentials(login) })).status).toBe(200);
    expect(await ddpError(ddp.call('2fa:checkCodesRemaining'))).toMatchObject({ error: 'not-authorized' });
  });

  it('a DDP login is an X-Auth-Token; a DDP logout ends it for REST', async () => {
    const { username, password } = await verifiedUser(t, 'ddp2rest');
    const ddp = await ddpClient();
    const login = await ddp.login({ user: { username }, password: { digest: sha256(password), algorithm: 'sha-256' } });
    const headers = credentials({ userId: login.id, authToken: login.token });
    expect(await rocketRest(t, 'GET', 'me', { headers })).toMatchObject({ status: 200, body: { _id: login.id, username } });
    await ddp.logout();
    expect((await rocketRest(t, 'GET', 'me', { headers })).status).toBe(401);
  });

  it('revoking the session through the native API ends it on REST and DDP alike', async () => {
    const { username, password } = await verifiedUser(t, 'revoke');
    const login = await restLogin({ user: username, password });
    const ddp = await ddpClient();
    await ddp.login({ resume: login.authToken });
    const native = (await t.request('POST', '/v1/sessions', { body: { login: username, password } })).body.token as string;
    const sessions = (await t.request('GET', '/v1/me/sessions', { token: native })).body.sessions as Array<{ id: string; client: string }>;
    const rocketSession = sessions.find((s) => s.client === 'rocketchat')!;
    expect((await t.request('DELETE', `/v1/me/sessions/${rocketSession.id}`, { token: native })).status).toBe(204);
    expect((await rocketRest(t, 'GET', 'me', { headers: credentials(login) })).status).toBe(401);
    expect(await ddpError(ddp.call('2fa:checkCodesRemaining'))).toMatchObject({ error: 'not-authorized' });
  });
});
