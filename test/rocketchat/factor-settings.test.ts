// Rocket.Chat's two-factor settings as twofold settings (docs/rocketchat.md, "Settings"): authenticator apps
// and email codes on or off (TOTP_ENABLED, EMAIL_CODES_ENABLED), email codes for new accounts without asking
// (EMAIL_CODES_AUTO_OPT_IN, off by default), remember-for and the email code's life. Servers with different
// settings share one database here, as instances of one deployment would after a configuration change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { connectSimpleDdp, ddpError, sha256, type SimpleDdpClient } from '../helpers/ddp-clients.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { credentials, emailCodeUser, mailedCode, rocketRest, totpUser, verifiedUser } from './helpers.ts';

/** Default settings: every factor offered, no auto opt-in. */
let base: TestServer;
/** No authenticator apps; new accounts get email codes; no remember-for; email codes live 2 minutes. */
let tuned: TestServer;
/** No email codes. */
let noEmail: TestServer;
const clients: SimpleDdpClient[] = [];
const swallow = () => undefined;

beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  base = await startTestServer();
  tuned = await startTestServer({ TOTP_ENABLED: 'false', EMAIL_CODES_AUTO_OPT_IN: 'true', TWOFOLD_REMEMBER_FOR_SECONDS: '0', EMAIL_CODE_TTL_SECONDS: '120' });
  noEmail = await startTestServer({ EMAIL_CODES_ENABLED: 'false' });
});
afterAll(async () => {
  for (const client of clients) await client.disconnect().catch(() => undefined);
  for (const server of [base, tuned, noEmail]) await server.close();
  process.off('unhandledRejection', swallow);
});

const digest = (password: string) => ({ digest: sha256(password), algorithm: 'sha-256' });

async function ddp(t: TestServer) {
  const client = await connectSimpleDdp(t.wsUrl);
  clients.push(client);
  return client;
}

/** A verified user with an authenticator and email codes, set up on the default server. */
async function bothFactors(label: string) {
  const user = await totpUser(base, label);
  base.clock.advance(30_000);
  const started = await base.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password } });
  const done = await base.request('POST', '/v1/sessions/second-factor', {
    body: { transactionId: started.body.transactionId, code: authenticatorCode(user.secret, base.clock) },
  });
  expect((await base.request('POST', '/v1/me/email-2fa', { token: done.body.token })).status).toBe(200);
  return user;
}

describe('TOTP_ENABLED=false', () => {
  it('leaves authenticators out of every challenge and every check; what the user set up counts again once it is back on', async () => {
    const { email, username, password, secret } = await bothFactors('nototp');
    const login = { user: { username }, password: digest(password) };
    const challenge = await ddpError((await ddp(tuned)).call('login', login));
    expect(challenge.details).toMatchObject({ method: 'email', availableMethods: ['email'] });
    tuned.clock.advance(30_000);
    // An authenticator code proves nothing here (it is read as a wrong email code) …
    expect(await ddpError((await ddp(tuned)).call('login', { totp: { login, code: authenticatorCode(secret, tuned.clock) } }))).toMatchObject({
      error: 'totp-invalid',
      details: { availableMethods: ['email'] },
    });
    // … while the mailed code does.
    const rest = await rocketRest(tuned, 'POST', 'login', { body: { user: username, password, code: mailedCode(tuned, email) } });
    expect(rest.status).toBe(200);
    // On the default server the authenticator is the user's first method again.
    expect((await ddpError((await ddp(base)).call('login', login))).details).toMatchObject({ method: 'totp', availableMethods: ['totp', 'email'] });
  });

  it('a user with only an authenticator signs in with the password, as on Rocket.Chat', async () => {
    const { username, password } = await totpUser(base, 'totponly');
    expect(await (await ddp(tuned)).login({ user: { username }, password: digest(password) })).toMatchObject({ type: 'password' });
  });

  it('enrols no authenticator: 409 factor_unavailable natively, error-not-allowed over DDP, and no account half made', async () => {
    const email = uniqueEmail('nototpreg');
    const refused = await tuned.request('POST', '/v1/users', { body: { email, password: 'registering with totp', totp: true } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'factor_unavailable', details: { method: 'totp' } });
    expect((await tuned.request('POST', '/v1/users', { body: { email, password: 'registering with totp' } })).status).toBe(201);

    const { username, password, email: address } = await verifiedUser(tuned, 'nototpenrol');
    const client = await ddp(tuned);
    const login = { user: { username }, password: digest(password) };
    // Auto opt-in gave this account email codes: it signs in with one, which also proves the change that follows.
    expect(await ddpError(client.call('login', login))).toMatchObject({ error: 'totp-required', details: { method: 'email' } });
    await client.login({ totp: { login, code: mailedCode(tuned, address) } });
    expect(await ddpError(client.call('2fa:enable'))).toMatchObject({ error: 'error-not-allowed', reason: 'This second factor is turned off on this server' });
  });
});

describe('EMAIL_CODES_ENABLED=false', () => {
  it('leaves email codes out of challenges; a user with only them signs in with the password', async () => {
    const both = await bothFactors('noemail');
    expect((await ddpError((await ddp(noEmail)).call('login', { user: { username: both.username }, password: digest(both.password) }))).details).toMatchObject({
      method: 'totp',
      availableMethods: ['totp'],
    });
    const only = await emailCodeUser(base, 'emailonly');
    const signedIn = await rocketRest(noEmail, 'POST', 'login', { body: { user: only.username, password: only.password } });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.data.me.services.email2fa).toEqual({ enabled: true });
  });

  it("the native API (and so the account page) calls email codes off while sign-in would not ask for one", async () => {
    const only = await emailCodeUser(base, 'emailonlynative');
    const signedIn = await noEmail.request('POST', '/v1/sessions', { body: { login: only.email, password: only.password } });
    expect(signedIn.status).toBe(201);
    expect(signedIn.body.user.emailCodesEnabled).toBe(false);
    expect((await noEmail.request('GET', '/v1/me', { token: signedIn.body.token })).body.user.emailCodesEnabled).toBe(false);
    // The user's own choice is kept: the server that offers email codes shows it, and asks for a code.
    expect((await base.request('GET', '/v1/me', { token: signedIn.body.token })).body.user.emailCodesEnabled).toBe(true);
    expect((await base.request('POST', '/v1/sessions', { body: { login: only.email, password: only.password } })).body.methods).toEqual(['email']);
  });

  it('mails no code and turns none on', async () => {
    const only = await emailCodeUser(base, 'emailnone');
    const client = await ddp(noEmail);
    const before = noEmail.notices.sent.length;
    expect(await client.call('sendEmailCode', only.username)).toEqual([]);
    expect(await rocketRest(noEmail, 'POST', 'users.2fa.sendEmailCode', { body: { emailOrUsername: only.username } })).toEqual({ status: 200, body: { success: true } });
    expect(noEmail.notices.sent.length).toBe(before);

    const fresh = await verifiedUser(noEmail, 'noemailenable');
    const login = (await rocketRest(noEmail, 'POST', 'login', { body: { user: fresh.username, password: fresh.password } })).body.data;
    expect(await rocketRest(noEmail, 'POST', 'users.2fa.enableEmail', { headers: credentials(login) })).toEqual({
      status: 400,
      body: { success: false, error: 'This second factor is turned off on this server [error-not-allowed]', errorType: 'error-not-allowed', details: { method: 'email' } },
    });
  });
});

describe('EMAIL_CODES_AUTO_OPT_IN', () => {
  it('is off by default: a new verified account signs in with its password alone', async () => {
    const { username, password } = await verifiedUser(base, 'noautoopt');
    expect((await rocketRest(base, 'POST', 'login', { body: { user: username, password } })).status).toBe(200);
  });

  it('on: a new account has email codes from the start, asked for once its address is verified; turned off, they stay off', async () => {
    const email = uniqueEmail('autoopt');
    const username = `autoopt${Date.now().toString(36)}`;
    const password = 'opted in by the server';
    await tuned.request('POST', '/v1/users', { body: { email, password, username } });
    // Not yet verified: codes go to verified addresses only, so nothing is asked.
    const early = await rocketRest(tuned, 'POST', 'login', { body: { user: username, password } });
    expect(early.status).toBe(200);
    expect(early.body.data.me.services.email2fa).toEqual({ enabled: true });
    await tuned.request('POST', '/v1/email-verification', { body: { token: new URL(tuned.notices.last('verify-email', email).link).searchParams.get('token') } });
    const challenged = await rocketRest(tuned, 'POST', 'login', { body: { user: username, password } });
    expect(challenged.body).toMatchObject({ error: 'totp-required', details: { method: 'email', codeGenerated: true, emailOrUsername: username } });
    const login = (await rocketRest(tuned, 'POST', 'login', { body: { user: username, password, code: mailedCode(tuned, email) } })).body.data;
    expect((await rocketRest(tuned, 'POST', 'users.2fa.disableEmail', { headers: credentials(login) })).body).toEqual({ success: true });
    expect((await rocketRest(tuned, 'POST', 'login', { body: { user: username, password } })).status).toBe(200);
  });
});

describe('TWOFOLD_REMEMBER_FOR_SECONDS=0 and EMAIL_CODE_TTL_SECONDS', () => {
  it("without remember-for an app's protected method asks every time; an email code lives as long as configured", async () => {
    tuned.server.ddp.protectedMethod('settings:ping', { name: 'settings-ping' }, () => 'pong');
    const email = uniqueEmail('tunedttl');
    const username = `tunedttl${Date.now().toString(36)}`;
    const password = 'short-lived codes';
    await tuned.request('POST', '/v1/users', { body: { email, password, username } });
    await tuned.request('POST', '/v1/email-verification', { body: { token: new URL(tuned.notices.last('verify-email', email).link).searchParams.get('token') } });
    const client = await ddp(tuned);
    const login = { user: { username }, password: digest(password) };
    const challenge = await ddpError(client.call('login', login));
    expect(challenge.details.method).toBe('email');
    const { expiresAt } = tuned.notices.last('email-code', email);
    expect(expiresAt.getTime() - tuned.clock.now().getTime()).toBeGreaterThan(110_000);
    expect(expiresAt.getTime() - tuned.clock.now().getTime()).toBeLessThanOrEqual(120_000);
    await client.login({ totp: { login, code: mailedCode(tuned, email) } });
    // Signed in with a factor a moment ago, from here: still asked (remember-for is 0).
    expect(await ddpError(client.call('settings:ping'))).toMatchObject({ error: 'totp-required', details: { method: 'email' } });
    // The mailed code, two minutes and a second later, is no longer good.
    tuned.clock.advance(121_000);
    expect(await ddpError(client.call('settings:ping', { twoFactorCode: mailedCode(tuned, email), twoFactorMethod: 'email' }))).toMatchObject({ error: 'totp-invalid' });
  });
});

describe('configuration', () => {
  it('reads the settings, with Rocket.Chat-like defaults except auto opt-in, and refuses what is not a boolean', () => {
    expect(loadConfig({}).factors).toEqual({ totp: true, email: true, emailAutoOptIn: false });
    expect(loadConfig({ TOTP_ENABLED: 'off', EMAIL_CODES_ENABLED: '0', EMAIL_CODES_AUTO_OPT_IN: 'yes' }).factors).toEqual({ totp: false, email: false, emailAutoOptIn: true });
    expect(() => loadConfig({ TOTP_ENABLED: 'maybe' })).toThrow(ConfigError);
  });
});
