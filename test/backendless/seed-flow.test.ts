// The Backendless 2FA seed document (shared/seeds/backendless-2fa.txt), driven through the real
// `backendless` npm SDK pointed at twofold: register, scan, confirm, log in, enable and disable 2FA.
import Backendless from 'backendless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTOTPKeyURI } from '../../src/core/otp/key-uri.ts';
import { encodeBase32 } from '../../src/core/otp/base32.ts';
import { uniqueEmail } from '../helpers/db.ts';
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

async function failure(promise: Promise<unknown>): Promise<{ code: number; status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: number; status: number; message: string };
  }
  throw new Error('expected the call to fail');
}

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
  it('enables for a logged-in user (active only after a code) and disables with a code', async () => {
    const email = uniqueEmail('toggle');
    await Backendless.UserService.register({ email, password: 'toggle me please' } as never);
    await Backendless.UserService.login(email, 'toggle me please', true);

    const { qrURL, secret } = (await Backendless.CustomServices.invoke('TOTP', 'enable2FA')) as { qrURL: string; secret: string };
    expect(qrURL).toMatch(/\/qr\/[\w-]+\.png$/);
    // Pending until confirmed: logging in still needs no code.
    const before = await fetch(`${t.url}/api/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: email, password: 'toggle me please' }),
    });
    expect(await before.json()).toHaveProperty('user-token');

    nextStep();
    const { backupCodes } = (await Backendless.CustomServices.invoke('TOTP', 'confirm2FA', { code: authenticatorCode(secret, t.clock) })) as {
      backupCodes: string[];
    };
    expect(backupCodes).toHaveLength(12);
    expect(backupCodes[0]).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);

    const after = await fetch(`${t.url}/api/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: email, password: 'toggle me please' }),
    });
    expect(Object.keys((await after.json()) as object)).toEqual(['transactionId']);

    expect(await failure(Backendless.CustomServices.invoke('TOTP', 'disable2FA'))).toMatchObject({ code: 8801, status: 400 });
    expect(await failure(Backendless.CustomServices.invoke('TOTP', 'disable2FA', { code: 'abc' }))).toMatchObject({ code: 8802 });
    nextStep();
    expect(await Backendless.CustomServices.invoke('TOTP', 'disable2FA', { code: authenticatorCode(secret, t.clock) })).toBe(true);
    expect(await failure(Backendless.CustomServices.invoke('TOTP', 'disable2FA', { code: '123456' }))).toMatchObject({ code: 8810 });
    await Backendless.UserService.logout();
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
