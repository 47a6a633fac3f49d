// The answers current Rocket.Chat gives where its seed document is silent or out of date
// (shared/spec/rocketchat.md), checked with real DDP clients (simpleddp + its login plugin,
// @rocket.chat/ddp-client): `2fa:enable` while TOTP is on, `2fa:regenerateCodes` with a backup code or a wrong
// code, `emailOrUsername` in every email challenge, `callWithTwoFactorRequired` without a login, masked
// `sendEmailCode` answers, codes typed as mailed (`123-456`), and proofs for factor changes.
import type { DDPSDK } from '@rocket.chat/ddp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSimpleDdp, ddpError, sha256, withRocketChatSdk as withRocketChatSdkAt, type SimpleDdpClient } from '../helpers/ddp-clients.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { ddpSignedIn, ddpTotpUser, mailCount, mailedCode, verifiedUser } from '../rocketchat/helpers.ts';

let t: TestServer;
const clients: SimpleDdpClient[] = [];
const swallow = () => undefined;
beforeAll(async () => {
  // simpleddp rejects some internal promises on disconnect; they must not fail the run.
  process.on('unhandledRejection', swallow);
  t = await startTestServer();
});
afterAll(async () => {
  for (const client of clients) await client.disconnect().catch(() => undefined);
  await t.close();
  process.off('unhandledRejection', swallow);
});

const STEP_UP_WINDOW_MS = 600_000;
const nextStep = () => t.clock.advance(30_000);
const digest = (password: string) => ({ digest: sha256(password), algorithm: 'sha-256' });

async function client() {
  const c = await connectSimpleDdp(t.wsUrl);
  clients.push(c);
  return c;
}

const withRocketChatSdk = <T>(use: (sdk: DDPSDK) => Promise<T>) => withRocketChatSdkAt(t.url, use);

const failure = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: { error?: unknown; reason?: unknown; details?: unknown }) => error,
  );

const signedIn = (label: string) => ddpSignedIn(t, clients, label);
const withTotp = (label: string) => ddpTotpUser(t, clients, label);

/** Authenticator secrets stored for the user: one, the active one, when no new secret was issued. */
async function storedSecrets(userId: string): Promise<number> {
  const rows = await (await testDb()).query<{ n: number }>('SELECT count(*)::int AS n FROM totp_credentials WHERE user_id = $1', [userId]);
  return rows[0]!.n;
}

describe('2fa:enable while TOTP is on', () => {
  it('answers error-2fa-already-enabled and issues no new secret, called directly or through callWithTwoFactorRequired', async () => {
    const { ddp, secret, userId } = await withTotp('already');
    const expected = { error: 'error-2fa-already-enabled', reason: 'Two-factor authentication is already enabled' };
    expect(await ddpError(ddp.call('2fa:enable'))).toMatchObject(expected);
    nextStep();
    const code = authenticatorCode(secret, t.clock);
    expect(await ddpError(ddp.call('callWithTwoFactorRequired', { code, ddpMethod: '2fa:enable', method: 'totp', params: [] }))).toMatchObject(expected);
    expect(await storedSecrets(userId)).toBe(1);
  });

  it('the same with @rocket.chat/ddp-client', async () => {
    const { username, password, userId, secret } = await withTotp('alreadysdk');
    nextStep();
    await withRocketChatSdk(async (sdk) => {
      // Signed in with a code, as its login form would after the challenge.
      const challenged = await failure(sdk.account.loginWithPassword(username, sha256(password)));
      expect(challenged).toMatchObject({ error: 'totp-required', details: { method: 'totp' } });
      await sdk.call('login', { totp: { login: { user: { username }, password: digest(password) }, code: authenticatorCode(secret, t.clock) } });
      expect(await failure(sdk.call('2fa:enable'))).toMatchObject({ error: 'error-2fa-already-enabled' });
    });
    expect(await storedSecrets(userId)).toBe(1);
  });
});

describe('2fa:regenerateCodes', () => {
  it('accepts a backup code as well as an authenticator code', async () => {
    const { ddp, codes } = await withTotp('regenbackup');
    const fresh = (await ddp.call('2fa:regenerateCodes', codes[0])) as { codes: string[] };
    expect(fresh.codes).toHaveLength(12);
    expect(fresh.codes).not.toContain(codes[1]);
    // The old set is gone, the one used included.
    expect(await ddp.call('2fa:regenerateCodes', codes[1])).toBeUndefined();
    expect(await ddp.call('2fa:checkCodesRemaining')).toEqual({ remaining: 12 });
  });

  it('answers a wrong code with undefined, as Rocket.Chat does, and counts it toward the account lockout', async () => {
    const { ddp, secret } = await withTotp('regenwrong');
    // security.md: 10 consecutive failures lock the account's second-factor checks. Nine wrong codes and a typing
    // slip (letters: not a guess, not counted) leave the right code its turn.
    for (let i = 0; i < 9; i++) expect(await ddp.call('2fa:regenerateCodes', '000000')).toBeUndefined();
    expect(await ddp.call('2fa:regenerateCodes', 'not a code')).toBeUndefined();
    nextStep();
    expect(await ddp.call('2fa:regenerateCodes', authenticatorCode(secret, t.clock))).toMatchObject({ codes: expect.any(Array) });
    // Ten wrong ones in a row lock: then even the right code is refused, with the wait.
    for (let i = 0; i < 10; i++) expect(await ddp.call('2fa:regenerateCodes', '000000')).toBeUndefined();
    nextStep();
    expect(await ddpError(ddp.call('2fa:regenerateCodes', authenticatorCode(secret, t.clock)))).toMatchObject({
      error: 'too-many-requests',
      details: { timeToReset: expect.any(Number) },
    });
  });
});

describe('email challenges', () => {
  it('always carry emailOrUsername: with a new code, and when a live one is reused', async () => {
    const { ddp, username, email } = await signedIn('reuse');
    expect(await ddp.call('2fa:enable-email')).toBe(true);
    t.clock.advance(STEP_UP_WINDOW_MS + 1000);
    const fresh = await ddpError(ddp.call('2fa:disable-email'));
    expect(fresh.details).toEqual({ method: 'email', codeGenerated: true, emailOrUsername: username, availableMethods: ['email'] });
    const reused = await ddpError(ddp.call('2fa:disable-email'));
    expect(reused.details).toEqual({
      method: 'email',
      codeGenerated: false,
      emailOrUsername: username,
      codeCount: 1,
      codeExpires: [expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/)],
      availableMethods: ['email'],
    });
    // The code as mailed, hyphen and all, in the trailing argument.
    expect(await ddp.call('2fa:disable-email', { twoFactorCode: mailedCode(t, email), twoFactorMethod: 'email' })).toBe(true);
  });

  it('name the address when the user has no username', async () => {
    const email = uniqueEmail('nousername');
    const password = 'an account without a username';
    await t.request('POST', '/v1/users', { body: { email, password } });
    await t.request('POST', '/v1/email-verification', { body: { token: new URL(t.notices.last('verify-email', email).link).searchParams.get('token') } });
    const ddp = await client();
    await ddp.login({ user: { email }, password: digest(password) });
    expect(await ddp.call('2fa:enable-email')).toBe(true);
    const other = await client();
    const challenge = await ddpError(other.call('login', { user: { email }, password: digest(password) }));
    expect(challenge.details).toMatchObject({ method: 'email', emailOrUsername: email });
    // Signing in with the code as mailed: `{totp: {login, code: '123-456'}}`.
    const signed = await other.login({ totp: { login: { user: { email }, password: digest(password) }, code: mailedCode(t, email) } });
    expect(signed.type).toBe('password');
  });
});

describe('callWithTwoFactorRequired on a logged-out connection', () => {
  const expected = { error: 'error-invalid-user', reason: 'Invalid user', details: { method: 'callWithTwoFactorRequired' } };

  it('answers error-invalid-user (simpleddp)', async () => {
    const anonymous = await client();
    const request = { code: '123456', ddpMethod: '2fa:disable-email', method: 'totp', params: [] };
    expect(await ddpError(anonymous.call('callWithTwoFactorRequired', request))).toMatchObject({ ...expected, message: 'Invalid user [error-invalid-user]' });
  });

  it('answers error-invalid-user (@rocket.chat/ddp-client), also after a logout', async () => {
    const { username, password } = await verifiedUser(t, 'loggedout');
    await withRocketChatSdk(async (sdk) => {
      const request = { code: '123456', ddpMethod: '2fa:enable', method: 'totp', params: [] };
      expect(await failure(sdk.call('callWithTwoFactorRequired', request))).toMatchObject(expected);
      await sdk.account.loginWithPassword(username, sha256(password));
      await sdk.account.logout();
      expect(await failure(sdk.call('callWithTwoFactorRequired', request))).toMatchObject(expected);
    });
  });
});

describe('sendEmailCode', () => {
  it('shows the addresses to the user signed in, masked to anyone else', async () => {
    const { ddp, username, email } = await signedIn('masked');
    expect(await ddp.call('2fa:enable-email')).toBe(true);
    expect(await ddp.call('sendEmailCode', username)).toEqual([email]);
    const masked = [`${email[0]}•••${email.slice(email.indexOf('@'))}`];
    expect(await (await client()).call('sendEmailCode', username)).toEqual(masked);
    const someoneElse = await signedIn('nosy');
    expect(await someoneElse.ddp.call('sendEmailCode', email)).toEqual(masked);
    await mailCount(t, email, 3);
  });
});

describe('factor changes need a recent proof (STEP_UP_WINDOW_SECONDS)', () => {
  it("a user with no factor proves 2fa:enable and 2fa:validateTempToken with the password's SHA-256 once the sign-in is older than the window", async () => {
    const { ddp, password } = await signedIn('window');
    t.clock.advance(STEP_UP_WINDOW_MS + 1000);
    // Rocket.Chat's password fallback: the challenge names `password` and lists no factor.
    expect(await ddpError(ddp.call('2fa:enable'))).toMatchObject({
      error: 'totp-required',
      details: { method: 'password', codeGenerated: false, availableMethods: [] },
    });
    const { secret } = (await ddp.call('2fa:enable', { twoFactorCode: sha256(password), twoFactorMethod: 'password' })) as { secret: string };
    // Another window later, confirming it asks again; callWithTwoFactorRequired carries the password.
    t.clock.advance(STEP_UP_WINDOW_MS + 1000);
    const code = authenticatorCode(secret, t.clock);
    expect(await ddpError(ddp.call('2fa:validateTempToken', code))).toMatchObject({ error: 'totp-required', details: { method: 'password' } });
    const confirmed = (await ddp.call('callWithTwoFactorRequired', {
      code: sha256(password),
      method: 'password',
      ddpMethod: '2fa:validateTempToken',
      params: [code],
    })) as { codes: string[] };
    expect(confirmed.codes).toHaveLength(12);
  });

  it('with an authenticator, 2fa:enable-email and 2fa:disable-email past the window ask for it, remember-for notwithstanding', async () => {
    const { ddp, secret } = await withTotp('windowtotp');
    // Still inside Rocket.Chat's remember-for (30 minutes, same IP and client), past the 10-minute window.
    t.clock.advance(STEP_UP_WINDOW_MS + 1000);
    expect(await ddpError(ddp.call('2fa:enable-email'))).toMatchObject({ error: 'totp-required', details: { method: 'totp', availableMethods: ['totp'] } });
    nextStep();
    expect(await ddp.call('2fa:enable-email', { twoFactorCode: authenticatorCode(secret, t.clock), twoFactorMethod: 'totp' })).toBe(true);
    // Right after that proof, turning it off again rides on the window; past it, it asks once more.
    t.clock.advance(STEP_UP_WINDOW_MS + 1000);
    expect(await ddpError(ddp.call('2fa:disable-email'))).toMatchObject({ error: 'totp-required', details: { method: 'totp', availableMethods: ['totp', 'email'] } });
  });
});
