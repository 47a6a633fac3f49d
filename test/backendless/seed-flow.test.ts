// The Backendless 2FA seed document (shared/seeds/backendless-2fa.txt), driven through the real
// `backendless` npm SDK pointed at twofold: register, scan, confirm, log in, enable and disable 2FA.
import Backendless from 'backendless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTOTPKeyURI } from '../../src/core/otp/key-uri.ts';
import { encodeBase32 } from '../../src/core/otp/base32.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { failure } from '../helpers/sdk-errors.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { authenticatorCode, decodeQrPng } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  Backendless.serverURL = t.url;
  Backendless.initApp(t.server.backendless.appId, t.server.backendless.apiKey);
});
afterAll(async () => {
  Backendless.UserService.setCurrentUser(undefined);
  await t.close();
});

/** Each TOTP step is accepted once: move the server's clock to a fresh step before the next code. */
const nextStep = () => t.clock.advance(30_000);

async function registerWith2FA() {
  const email = uniqueEmail('jack.daniels');
  const password = 'DontDrinkAndDrive';
  const { transactionId, qrURL, secret } = (await Backendless.UserService.register({ email, password, totpAuthEnabled: true } as never)) as unknown as {
    transactionId: string;
    qrURL: string;
    secret: string;
  };
  return { email, password, transactionId, qrURL, secret };
}

describe('Backendless seed: user registration with 2FA', () => {
  it('registers, shows a QR and a secret, and authWith2FA returns the logged-in user', async () => {
    const { email, transactionId, qrURL, secret } = await registerWith2FA();
    expect(transactionId).toMatch(/^[\w-]{32}$/);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(qrURL.startsWith(`${t.url}/qr/`)).toBe(true);

    // The QR image is ours, not cached, and encodes the same secret.
    const image = await fetch(qrURL);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('cache-control')).toBe('no-store');
    const uri = decodeQrPng(Buffer.from(await image.arrayBuffer()));
    const parsed = parseTOTPKeyURI(uri);
    expect(encodeBase32(parsed.secret)).toBe(secret);
    expect(parsed.accountName).toBe(email);
    expect(uri).toMatch(/^otpauth:\/\/totp\/twofold:.+\?secret=[A-Z2-7]+&issuer=twofold&algorithm=SHA1&digits=6&period=30$/);

    const loggedInUser = (await Backendless.CustomServices.invoke('TOTP', 'authWith2FA', {
      transactionId,
      code: authenticatorCode(secret, t.clock),
    })) as Record<string, unknown>;
    expect(loggedInUser).toMatchObject({ email, ___class: 'Users', userStatus: 'ENABLED' });
    expect(loggedInUser.objectId).toEqual(expect.any(String));
    expect(loggedInUser['user-token']).toEqual(expect.any(String));
    expect(loggedInUser.backupCodes).toHaveLength(12);

    Backendless.UserService.setCurrentUser(loggedInUser as never);
    expect(await Backendless.UserService.isValidLogin()).toBe(true);
    const current = (await Backendless.UserService.getCurrentUser(true)) as unknown as Record<string, unknown>;
    expect(current.objectId).toBe(loggedInUser.objectId);

    await Backendless.UserService.logout();
    const stale = await fetch(`${t.url}/${t.server.backendless.appId}/${t.server.backendless.apiKey}/users/isvalidusertoken/${loggedInUser['user-token']}`);
    expect(await stale.json()).toBe(false);
  });

  it('refuses the transaction once used, and a QR link after confirmation', async () => {
    const { transactionId, secret, qrURL } = await registerWith2FA();
    nextStep();
    await Backendless.CustomServices.invoke('TOTP', 'authWith2FA', { transactionId, code: authenticatorCode(secret, t.clock) });
    Backendless.UserService.setCurrentUser(undefined);
    nextStep();
    const again = await failure(Backendless.CustomServices.invoke('TOTP', 'authWith2FA', { transactionId, code: authenticatorCode(secret, t.clock) }));
    expect(again).toMatchObject({ code: 8807, status: 409 });
    expect((await fetch(qrURL)).status).toBe(404);
  });
});

describe('Backendless seed: user login with 2FA', () => {
  it('login returns only a transactionId; authWith2FA with a code returns the user with its token', async () => {
    const { email, password, transactionId: enrolment, secret } = await registerWith2FA();
    nextStep();
    await Backendless.CustomServices.invoke('TOTP', 'authWith2FA', { transactionId: enrolment, code: authenticatorCode(secret, t.clock) });
    Backendless.UserService.setCurrentUser(undefined);

    const login = (await Backendless.UserService.login(email, password)) as unknown as Record<string, unknown>;
    expect(Object.keys(login).filter((k) => !k.startsWith('___'))).toEqual(['transactionId']);
    expect(login['user-token']).toBeUndefined();
    Backendless.UserService.setCurrentUser(undefined);

    const wrong = await failure(Backendless.CustomServices.invoke('TOTP', 'authWith2FA', { transactionId: login.transactionId, code: '000000' }));
    expect(wrong.code).toBe(8803);
    expect(wrong.status).toBe(401);
    expect(wrong.message).toBeTruthy();

    nextStep();
    const user = (await Backendless.CustomServices.invoke('TOTP', 'authWith2FA', {
      transactionId: login.transactionId,
      code: authenticatorCode(secret, t.clock),
    })) as Record<string, unknown>;
    expect(user).toMatchObject({ email, 'user-token': expect.any(String) });
    expect(user.backupCodes).toBeUndefined();
  });

  it('gives a user without 2FA a session straight away', async () => {
    const email = uniqueEmail('plain');
    const registered = (await Backendless.UserService.register({ email, password: 'no second factor' } as never)) as unknown as Record<string, unknown>;
    expect(registered).toMatchObject({ email, ___class: 'Users', objectId: expect.any(String) });
    expect(registered).not.toHaveProperty('password');
    const user = (await Backendless.UserService.login(email, 'no second factor')) as unknown as Record<string, unknown>;
    expect(user['user-token']).toEqual(expect.any(String));
    await Backendless.UserService.logout();
  });

  it('answers bad logins with Backendless error codes', async () => {
    const { email } = await registerWith2FA();
    expect(await failure(Backendless.UserService.login(email, 'wrong password'))).toMatchObject({ code: 3003, status: 401 });
    expect(await failure(Backendless.UserService.login(uniqueEmail('ghost'), 'wrong password'))).toMatchObject({ code: 3003 });
    expect(await failure(Backendless.UserService.register({ email, password: 'whatever you like' } as never))).toMatchObject({ code: 3033 });
    expect(await failure(Backendless.UserService.register({ email: 'not an email', password: 'whatever you like' } as never))).toMatchObject({
      code: 3040,
    });
  });
});

describe('Backendless seed: enable and disable 2FA', () => {
  const invoke = <T>(method: string, params?: Record<string, unknown>) => Backendless.CustomServices.invoke('TOTP', method, params) as Promise<T>;
  const rawValid = async (token: string) => (await fetch(`${t.url}/api/users/isvalidusertoken/${token}`)).json();
  const rawLogin = async (email: string, password: string) =>
    (await fetch(`${t.url}/api/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: email, password }) })).json();

  it('as the seed says: enable2FA turns 2FA on, the next login asks for a code of the new secret, disable2FA turns it off', async () => {
    const email = uniqueEmail('toggle');
    const password = 'toggle me please';
    await Backendless.UserService.register({ email, password } as never);
    await Backendless.UserService.login(email, password, true);

    const { qrURL, secret } = await invoke<{ qrURL: string; secret: string }>('enable2FA');
    expect(qrURL).toMatch(/\/qr\/[\w-]+\.png$/);
    await Backendless.UserService.logout();
    // "If 2FA is enabled for the user account ... the Login API returns transactionId".
    const { transactionId } = (await Backendless.UserService.login(email, password)) as unknown as { transactionId: string };
    expect(transactionId).toEqual(expect.any(String));
    nextStep();
    const user = await invoke<Record<string, unknown>>('authWith2FA', { transactionId, code: authenticatorCode(secret, t.clock) });
    expect(user).toMatchObject({ email, 'user-token': expect.any(String) });
    Backendless.UserService.setCurrentUser(user as never);

    // disable2FA takes no parameters: the session that signed in with the factor is the proof.
    expect(await invoke('disable2FA')).toBe(true);
    expect(t.notices.last('factor-disabled', email).factor).toBe('totp');
    expect(await rawLogin(email, password)).toHaveProperty('user-token');
    // That login ended the app's session: one login at a time, Backendless' default (BACKENDLESS_MULTIPLE_LOGINS).
    expect(await Backendless.UserService.isValidLogin()).toBe(false);
    Backendless.UserService.setCurrentUser(undefined);
  });

  it('an abandoned QR code locks nobody out: the old authenticator and backup codes keep working until a new code is verified', async () => {
    const { email, password, transactionId, secret } = await registerWith2FA();
    nextStep();
    const user = await invoke<Record<string, unknown> & { backupCodes: string[] }>('authWith2FA', { transactionId, code: authenticatorCode(secret, t.clock) });
    Backendless.UserService.setCurrentUser(user as never);
    const replacement = await invoke<{ secret: string }>('enable2FA');
    nextStep();
    // The old secret still completes a login ...
    const first = (await rawLogin(email, password)) as { transactionId: string };
    expect(await invoke('authWith2FA', { transactionId: first.transactionId, code: authenticatorCode(secret, t.clock) })).toHaveProperty('user-token');
    // ... and a backup code too; the first code of the new secret then replaces the old one.
    const second = (await rawLogin(email, password)) as { transactionId: string };
    expect(await invoke('authWith2FA', { transactionId: second.transactionId, code: user.backupCodes[0] })).toHaveProperty('user-token');
    nextStep();
    const third = (await rawLogin(email, password)) as { transactionId: string };
    expect(await invoke('authWith2FA', { transactionId: third.transactionId, code: authenticatorCode(replacement.secret, t.clock) })).toHaveProperty('user-token');
    nextStep();
    const fourth = (await rawLogin(email, password)) as { transactionId: string };
    expect(await failure(invoke('authWith2FA', { transactionId: fourth.transactionId, code: authenticatorCode(secret, t.clock) }))).toMatchObject({ code: 8803 });
    // Replacing the authenticator ended every other session, the app's too (ASVS 2.8.6).
    expect(await rawValid(user['user-token'] as string)).toBe(false);
    Backendless.UserService.setCurrentUser(undefined);
  });

  it('disable2FA with no parameters is refused from a session that never answered the factor; {code} always works', async () => {
    const email = uniqueEmail('stale');
    const password = 'stale session please';
    await Backendless.UserService.register({ email, password } as never);
    await Backendless.UserService.login(email, password, true);
    // This session began before 2FA was on: it never answered the factor.
    const { secret } = await invoke<{ secret: string }>('enable2FA');
    const refused = await failure(invoke('disable2FA'));
    expect(refused).toMatchObject({ code: 8812, status: 401 });
    expect(refused.message).toMatch(/code/i);
    expect(await failure(invoke('disable2FA', { code: '000000' }))).toMatchObject({ code: 8813 });
    expect(await failure(invoke('disable2FA', { code: 'abc' }))).toMatchObject({ code: 8802 });
    nextStep();
    expect(await invoke('disable2FA', { code: authenticatorCode(secret, t.clock) })).toBe(true);
    expect(await rawLogin(email, password)).toHaveProperty('user-token');
    Backendless.UserService.setCurrentUser(undefined);
  });

  it('refuses enable2FA and disable2FA without a logged-in user', async () => {
    Backendless.UserService.setCurrentUser(undefined);
    expect(await failure(Backendless.CustomServices.invoke('TOTP', 'enable2FA'))).toMatchObject({ code: 8811, status: 403 });
    expect(await failure(Backendless.CustomServices.invoke('TOTP', 'disable2FA', { code: '123456' }))).toMatchObject({ code: 8811 });
  });

  it('refuses a wrong app id or API key', async () => {
    const res = await fetch(`${t.url}/WRONG-APP-ID/WRONG-KEY/info`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 2002, message: expect.any(String), errorData: expect.any(Object) });
  });
});

describe('BACKENDLESS_2FA_CHANGE_PROOF: operators may hold the parameterless calls stricter', () => {
  async function signedInWith2FA(server: TestServer) {
    const { appId, apiKey } = server.server.backendless;
    const app = Backendless.initApp({ appId, apiKey, serverURL: server.url, standalone: true }) as typeof Backendless;
    const email = uniqueEmail('strict');
    const { transactionId, secret } = (await app.UserService.register({ email, password: 'strict operator', totpAuthEnabled: true } as never)) as unknown as {
      transactionId: string;
      secret: string;
    };
    server.clock.advance(30_000);
    const user = await app.CustomServices.invoke('TOTP', 'authWith2FA', { transactionId, code: authenticatorCode(secret, server.clock) });
    app.UserService.setCurrentUser(user as never);
    return { app, secret };
  }

  it('code: disable2FA needs {code} even from a session that signed in with the factor', async () => {
    const server = await startTestServer({ BACKENDLESS_2FA_CHANGE_PROOF: 'code' });
    try {
      const { app, secret } = await signedInWith2FA(server);
      expect(await failure(app.CustomServices.invoke('TOTP', 'disable2FA'))).toMatchObject({ code: 8812 });
      server.clock.advance(30_000);
      expect(await app.CustomServices.invoke('TOTP', 'disable2FA', { code: authenticatorCode(secret, server.clock) })).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('recent: the sign-in counts for STEP_UP_WINDOW_SECONDS only', async () => {
    const server = await startTestServer({ BACKENDLESS_2FA_CHANGE_PROOF: 'recent', STEP_UP_WINDOW_SECONDS: '600' });
    try {
      const { app } = await signedInWith2FA(server);
      server.clock.advance(601_000);
      expect(await failure(app.CustomServices.invoke('TOTP', 'disable2FA'))).toMatchObject({ code: 8812 });
      const fresh = await signedInWith2FA(server);
      expect(await fresh.app.CustomServices.invoke('TOTP', 'disable2FA')).toBe(true);
    } finally {
      await server.close();
    }
  });
});
