// "Tell the app what passed" (issue 19, item 4): every session carries `amr` (RFC 8176 Authentication Method
// Reference values) and `secondFactorAt`, per factor, on every wire — native `/v1`, the Backendless user object,
// DDP's login result and Rocket.Chat's REST login. An app deciding "was this a phishing-resistant sign-in?"
// reads `hwk`; "did a second factor pass?" reads `mfa`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { enrolledUser, startLogin, verify } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { connectSimpleDdp, sha256, type SimpleDdpClient } from '../helpers/ddp-clients.ts';
import { SoftAuthenticator } from '../helpers/webauthn-authenticator.ts';
import { emailCodeUser, rocketRest, totpUser, verifiedUser } from '../rocketchat/helpers.ts';

let t: TestServer;
const ddpClients: SimpleDdpClient[] = [];
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  for (const client of ddpClients) await client.disconnect().catch(() => undefined);
  await t.close();
});

const PASSWORD_ONLY = ['pwd'];
const WITH_CODE = ['pwd', 'otp', 'mfa'];
/** The server's clock runs on from the test clock's; "now" is within a few seconds of it. */
const nearNow = (at: string | number) => expect(Math.abs(new Date(at).getTime() - t.clock.now().getTime())).toBeLessThan(10_000);
const currentSession = async (token: string) => {
  const res = await t.request('GET', '/v1/me/sessions', { token });
  expect(res.status).toBe(200);
  return res.body.sessions.find((s: { current: boolean }) => s.current);
};

/** A user with a password and one key; `synced`: a passkey whose private key is backed up (WebAuthn BE/BS flags). */
async function keyUser(synced: boolean) {
  const email = uniqueEmail('amr-key');
  const password = 'touch the key please';
  expect((await t.request('POST', '/v1/users', { body: { email, password } })).status).toBe(201);
  const { token } = (await t.request('POST', '/v1/sessions', { body: { login: email, password } })).body;
  const key = new SoftAuthenticator({ origin: t.url, rpId: '127.0.0.1', ...(synced ? { backupEligible: true, backedUp: true } : {}) });
  const options = await t.request('POST', '/v1/me/webauthn/registration-options', { token, body: {} });
  const saved = await t.request('POST', '/v1/me/webauthn/credentials', { token, body: { name: 'key', response: key.register(options.body as PublicKeyCredentialCreationOptionsJSON) } });
  expect(saved.status).toBe(201);
  return { email, password, key };
}

/** Password, then the key's assertion: the session JSON. */
async function signInWithKey(user: Awaited<ReturnType<typeof keyUser>>) {
  const transactionId = await startLogin(t, user.email, user.password);
  const options = (await t.request('POST', '/v1/sessions/webauthn-options', { body: { transactionId } })).body as PublicKeyCredentialRequestOptionsJSON;
  const res = await t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, method: 'webauthn', webauthn: user.key.authenticate(options) } });
  expect(res.status).toBe(201);
  return res.body.session;
}

describe('native /v1: amr and secondFactorAt of the session', () => {
  it('a password-only sign-in is `pwd`, with no second factor', async () => {
    const email = uniqueEmail('amr-pwd');
    await t.request('POST', '/v1/users', { body: { email, password: 'just a password here' } });
    const res = await t.request('POST', '/v1/sessions', { body: { login: email, password: 'just a password here' } });
    expect(res.status).toBe(201);
    expect(res.body.session).toMatchObject({ amr: PASSWORD_ONLY, secondFactorAt: null });
  });

  it('an authenticator code is `otp` and `mfa`, and secondFactorAt is the sign-in time', async () => {
    const user = await enrolledUser(t, 'amr-totp');
    const transactionId = await startLogin(t, user.email, user.password);
    t.clock.advance(30_000);
    const res = await verify(t, transactionId, authenticatorCode(user.secret, t.clock));
    expect(res.status).toBe(201);
    expect(res.body.session.amr).toEqual(WITH_CODE);
    nearNow(res.body.session.secondFactorAt);
    const listed = await currentSession(res.body.token);
    expect(listed).toMatchObject({ amr: WITH_CODE, secondFactorAt: res.body.session.secondFactorAt });
  });

  it('a backup code counts as `otp` too', async () => {
    const user = await enrolledUser(t, 'amr-backup');
    const transactionId = await startLogin(t, user.email, user.password);
    const res = await verify(t, transactionId, user.backupCodes[0]);
    expect(res.status).toBe(201);
    expect(res.body.session.amr).toEqual(WITH_CODE);
  });

  it('an email code counts as `otp` (RFC 8176 has no value for mailed codes; `sms` is for texts)', async () => {
    const user = await emailCodeUser(t, 'amremail');
    const transactionId = await startLogin(t, user.email, user.password);
    const res = await verify(t, transactionId, t.notices.last('email-code', user.email).code);
    expect(res.status).toBe(201);
    expect(res.body.session.amr).toEqual(WITH_CODE);
  });

  it('a device-bound security key is `hwk`, and `user` when it verified the user', async () => {
    expect((await signInWithKey(await keyUser(false))).amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
  });

  it('a synced passkey is `swk`: its private key is copied between devices by software', async () => {
    expect((await signInWithKey(await keyUser(true))).amr).toEqual(['pwd', 'swk', 'user', 'mfa']);
  });

  it('a remembered device skips the code, so its session proved only the password', async () => {
    const user = await enrolledUser(t, 'amr-device');
    const transactionId = await startLogin(t, user.email, user.password);
    t.clock.advance(30_000);
    const first = await t.request('POST', '/v1/sessions/second-factor', {
      body: { transactionId, code: authenticatorCode(user.secret, t.clock), rememberDevice: true },
    });
    expect(first.status).toBe(201);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const again = await t.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password }, headers: { cookie } });
    expect(again.status).toBe(201);
    expect(again.body.session).toMatchObject({ amr: PASSWORD_ONLY, secondFactorAt: null });
  });

  it('a step-up adds what it proved to the session', async () => {
    const user = await enrolledUser(t, 'amr-stepup');
    const transactionId = await startLogin(t, user.email, user.password);
    t.clock.advance(30_000);
    const code = authenticatorCode(user.secret, t.clock);
    // A remembered device gives a password-only session; a step-up with a code makes it `mfa`.
    const first = await t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, code, rememberDevice: true } });
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const { token } = (await t.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password }, headers: { cookie } })).body;
    expect((await currentSession(token)).amr).toEqual(PASSWORD_ONLY);
    t.clock.advance(30_000);
    const stepUp = await t.request('POST', '/v1/me/step-up', { token, body: { operation: 'approve-payment', code: authenticatorCode(user.secret, t.clock) } });
    expect(stepUp.status).toBe(200);
    const after = await currentSession(token);
    expect(after.amr).toEqual(WITH_CODE);
    nearNow(after.secondFactorAt);
  });
});

describe('the other wires', () => {
  it('Backendless: the logged-in user object carries amr and secondFactorAt (milliseconds)', async () => {
    const { appId, apiKey } = t.server.backendless;
    const user = await enrolledUser(t, 'amr-bl');
    const base = `${t.url}/${appId}/${apiKey}`;
    const post = async (path: string, body: unknown) =>
      (await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>;
    const { transactionId } = await post('/users/login', { login: user.email, password: user.password });
    t.clock.advance(30_000);
    const loggedIn = await post('/services/TOTP/authWith2FA', { transactionId, code: authenticatorCode(user.secret, t.clock) });
    expect(loggedIn).toMatchObject({ 'user-token': expect.any(String), amr: WITH_CODE, secondFactorAt: expect.any(Number) });
    nearNow(loggedIn.secondFactorAt);
  });

  it('DDP: the login result carries amr and secondFactorAt beside the resume token', async () => {
    const user = await totpUser(t, 'amrddp');
    const ddp = await connectSimpleDdp(t.wsUrl);
    ddpClients.push(ddp);
    t.clock.advance(30_000);
    const login = { user: { username: user.username }, password: { digest: sha256(user.password), algorithm: 'sha-256' } };
    const result = (await ddp.call('login', { totp: { login, code: authenticatorCode(user.secret, t.clock) } })) as any;
    expect(result).toMatchObject({ id: user.userId, token: expect.any(String), amr: WITH_CODE });
    nearNow(result.secondFactorAt.$date ?? result.secondFactorAt);
    const resumed = (await ddp.call('login', { resume: result.token })) as any;
    expect(resumed.amr).toEqual(WITH_CODE);
  });

  it('Rocket.Chat REST: /api/v1/login answers amr and secondFactorAt in `data`', async () => {
    const user = await totpUser(t, 'amrrc');
    t.clock.advance(30_000);
    const res = await rocketRest(t, 'POST', 'login', {
      body: { user: user.username, password: user.password },
      headers: { 'x-2fa-code': authenticatorCode(user.secret, t.clock), 'x-2fa-method': 'totp' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.amr).toEqual(WITH_CODE);
    nearNow(res.body.data.secondFactorAt);
    // A user with no second factor signs in with the password alone.
    const plain = await rocketRest(t, 'POST', 'login', { body: { user: (await verifiedUser(t, 'amrplain')).username, password: 'rocket chat password' } });
    expect(plain.body.data).toMatchObject({ amr: PASSWORD_ONLY, secondFactorAt: null });
  });
});
