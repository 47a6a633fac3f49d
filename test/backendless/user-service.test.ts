// The rest of Backendless' user service, as an app written for Backendless calls it through the real `backendless`
// SDK (v8) around the 2FA seed: sign-up forms with their own fields, Users.update, describeUserClass,
// restorePassword, resendEmailConfirmation, the account lock (3036), required email confirmation (3087), one
// login at a time (Backendless' default) and the calls twofold does not offer.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appFor, type BackendlessApp } from '../helpers/backendless-app.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { failure } from '../helpers/sdk-errors.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { authenticatorCode } from '../helpers/totp.ts';

type App = BackendlessApp;
type Json = Record<string, any>;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const nextStep = (server: TestServer = t) => server.clock.advance(30_000);

/** Registers with TOTP as the seed does and finishes with authWith2FA: the app holds the logged-in user. */
async function seedUser(app: App, server: TestServer = t, extra: Json = {}) {
  const email = uniqueEmail('seed');
  const password = 'DontDrinkAndDrive';
  const { transactionId, secret } = (await app.UserService.register({ email, password, totpAuthEnabled: true, ...extra } as never)) as unknown as Json;
  nextStep(server);
  const user = (await app.CustomServices.invoke('TOTP', 'authWith2FA', { transactionId, code: authenticatorCode(secret, server.clock) })) as Json;
  app.UserService.setCurrentUser(user as never);
  return { email, password, secret, user };
}

describe('the user object', () => {
  it('keeps the properties of a sign-up form and shows totpAuthEnabled on every user returned', async () => {
    const app = appFor(t);
    const email = uniqueEmail('form');
    const registered = (await app.UserService.register({ email, password: 'a sign-up form', name: 'Jack Daniels', phone: '+1 615 555 0100', age: 42 } as never)) as unknown as Json;
    expect(registered).toMatchObject({ email, name: 'Jack Daniels', phone: '+1 615 555 0100', age: 42, totpAuthEnabled: false, userStatus: 'ENABLED' });
    expect(registered).not.toHaveProperty('password');

    const loggedIn = (await app.UserService.login(email, 'a sign-up form', true)) as unknown as Json;
    expect(loggedIn).toMatchObject({ name: 'Jack Daniels', phone: '+1 615 555 0100', totpAuthEnabled: false, 'user-token': expect.any(String) });
    const current = (await app.UserService.getCurrentUser(true)) as unknown as Json;
    expect(current).toMatchObject({ objectId: registered.objectId, name: 'Jack Daniels', age: 42, totpAuthEnabled: false });

    const seeded = await seedUser(appFor(t), t, { nickname: 'jd' });
    expect(seeded.user).toMatchObject({ nickname: 'jd', totpAuthEnabled: true });
  });

  it('Users.update changes the signed-in user’s properties; the whole object the app holds may come back with it', async () => {
    const app = appFor(t);
    const { user } = await seedUser(app, t, { phone: '111' });
    // The SDK sends everything the app holds: the account's own fields come back unchanged, and that is fine.
    const current = (await app.UserService.getCurrentUser(true)) as unknown as Json;
    const updated = (await app.UserService.update({ ...current, phone: '222', city: 'Lynchburg' } as never)) as unknown as Json;
    expect(updated).toMatchObject({ objectId: user.objectId, phone: '222', city: 'Lynchburg', totpAuthEnabled: true });
    expect(updated.updated).toBeGreaterThanOrEqual(current.updated);
    // A second update with the same (now older) copy still goes through: only changes are refused.
    await app.UserService.update({ ...current, phone: '333' } as never);
    // null removes a property.
    const removed = (await app.UserService.update({ objectId: user.objectId, city: null } as never)) as unknown as Json;
    expect(removed).not.toHaveProperty('city');
    expect((await app.UserService.getCurrentUser(true)) as unknown as Json).toMatchObject({ phone: '333' });
  });

  it('refuses to change the account’s own fields through update, and leaves 2FA as it was', async () => {
    const app = appFor(t);
    const { user, email, password } = await seedUser(app);
    for (const [field, value] of [
      ['totpAuthEnabled', false],
      ['email', uniqueEmail('other')],
      ['password', 'a new password'],
      ['userStatus', 'DISABLED'],
      ['ownerId', crypto.randomUUID()],
      ['created', 1],
      ['emailConfirmed', true],
    ] as const) {
      const refused = await failure(app.UserService.update({ objectId: user.objectId, [field]: value } as never));
      expect(refused, field).toMatchObject({ code: 8840, status: 403 });
      expect(refused.message).toContain(field);
    }
    // Still a 2FA user: the next login asks for the factor.
    const login = (await appFor(t).UserService.login(email, password)) as unknown as Json;
    expect(Object.keys(login).filter((k) => !k.startsWith('___'))).toEqual(['transactionId']);
  });

  it('answers Backendless’ update errors: 3028 without a user, 3030 for another user, 3024 for a bad property', async () => {
    const app = appFor(t);
    const other = (await appFor(t).UserService.register({ email: uniqueEmail('other'), password: 'someone else' } as never)) as unknown as Json;
    expect(await failure(app.UserService.update({ objectId: other.objectId, name: 'x' } as never))).toMatchObject({ code: 3028 });
    const { user } = await seedUser(app);
    expect(await failure(app.UserService.update({ ...other, name: 'Bob' } as never))).toMatchObject({ code: 3030 });
    expect(await failure(app.UserService.update({ objectId: user.objectId, 'bad-name': 1 } as never))).toMatchObject({ code: 3024 });
    expect(await failure(app.UserService.update({ objectId: user.objectId, blob: 'x'.repeat(17_000) } as never))).toMatchObject({ code: 3024 });
  });

  it('refuses at registration a property named like a system column (3039) or a malformed one (3021)', async () => {
    const app = appFor(t);
    const email = uniqueEmail('reserved');
    const reserved = await failure(app.UserService.register({ email, password: 'whatever you like', created: 5 } as never));
    expect(reserved).toMatchObject({ code: 3039, status: 403 });
    expect(reserved.message).toContain('created');
    expect(await failure(app.UserService.register({ email, password: 'whatever you like', '1st': 'x' } as never))).toMatchObject({ code: 3021, status: 400 });
    // Nothing was created: the address is still free.
    expect(await app.UserService.register({ email, password: 'whatever you like' } as never)).toMatchObject({ email });
  });

  it('describeUserClass lists the built-in columns and the properties users have', async () => {
    const app = appFor(t);
    await app.UserService.register({ email: uniqueEmail('columns'), password: 'describe me', location: 'New York', visits: 3 } as never);
    const columns = (await app.UserService.describeUserClass()) as Json[];
    const names = columns.map((column) => column.name);
    expect(names).toEqual(expect.arrayContaining(['objectId', 'email', 'password', 'created', 'updated', 'totpAuthEnabled', 'location', 'visits']));
    expect(columns.find((c) => c.name === 'email')).toMatchObject({ type: 'STRING', identity: true, required: true });
    expect(columns.find((c) => c.name === 'location')).toMatchObject({ type: 'STRING', identity: false, required: false });
    expect(columns.find((c) => c.name === 'visits')).toMatchObject({ type: 'INT' });
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('restorePassword', () => {
  it('mails a link to the account page; the new password works, the old does not, and 2FA is still asked', async () => {
    const app = appFor(t);
    const { email, password, secret, user } = await seedUser(app);
    await app.UserService.restorePassword(email);
    const mail = await vi.waitFor(() => t.notices.last('password-reset', email));
    // The token rides in the fragment: it never reaches a server or proxy log.
    expect(mail.link).toMatch(new RegExp(`^${t.url}/#reset=[\\w-]{43}$`));
    const token = decodeURIComponent(mail.link.split('#reset=')[1]!);

    expect((await t.request('POST', '/v1/password-resets/confirm', { body: { token, password: 'a brand new password' } })).status).toBe(204);
    expect(t.notices.last('password-changed', email).reset).toBe(true);
    // Every session ended, the app's too.
    expect(await app.UserService.isValidLogin()).toBe(false);
    expect(await failure(appFor(t).UserService.login(email, password))).toMatchObject({ code: 3003 });
    const login = (await appFor(t).UserService.login(email, 'a brand new password')) as unknown as Json;
    expect(Object.keys(login).filter((k) => !k.startsWith('___'))).toEqual(['transactionId']);
    nextStep();
    const back = (await app.CustomServices.invoke('TOTP', 'authWith2FA', { transactionId: login.transactionId, code: authenticatorCode(secret, t.clock) })) as Json;
    expect(back.objectId).toBe(user.objectId);
  });

  it('answers the same for an address nobody registered (no user oracle: Backendless would say 3020)', async () => {
    const app = appFor(t);
    const email = uniqueEmail('known');
    await app.UserService.register({ email, password: 'I do exist' } as never);
    const ask = async (address: string) => {
      const res = await fetch(`${t.url}/api/users/restorepassword/${encodeURIComponent(address)}`);
      return `${res.status} ${await res.text()}`;
    };
    expect(await ask(email)).toBe(await ask(uniqueEmail('nobody')));
    expect(await app.UserService.restorePassword(uniqueEmail('nobody'))).toBeFalsy();
    expect(await failure(app.UserService.restorePassword('not an address'))).toMatchObject({ code: 3040 });
  });
});

describe('resendEmailConfirmation', () => {
  it('mails a new link to an unverified address, and answers alike for others', async () => {
    const app = appFor(t);
    const email = uniqueEmail('resend');
    await app.UserService.register({ email, password: 'confirm me later' } as never);
    const first = t.notices.last('verify-email', email).link;
    await app.UserService.resendEmailConfirmation(email);
    await vi.waitFor(() => expect(t.notices.last('verify-email', email).link).not.toBe(first));
    const ask = async (address: string) => {
      const res = await fetch(`${t.url}/api/users/resendconfirmation/${address}`, { method: 'POST' });
      return `${res.status} ${await res.text()}`;
    };
    expect(await ask(email)).toBe(await ask(uniqueEmail('nobody')));
  });
});

describe('the account lock', () => {
  it('answers a login with 3036 while second-factor checks are locked', async () => {
    const app = appFor(t);
    const { email, password } = await seedUser(app);
    for (let i = 0; i < 10; i++) {
      const { transactionId } = (await appFor(t).UserService.login(email, password)) as unknown as Json;
      await failure(app.CustomServices.invoke('TOTP', 'authWith2FA', { transactionId, code: '000000' }));
    }
    const locked = await failure(appFor(t).UserService.login(email, password));
    expect(locked).toMatchObject({ code: 3036, status: 429 });
    expect(locked.message).toMatch(/paused/);
  });
});

describe('logins of one account', () => {
  it('by default, as Backendless: a second login ends the first', async () => {
    const [first, second] = [appFor(t), appFor(t)];
    const email = uniqueEmail('twice');
    await first.UserService.register({ email, password: 'log me in twice' } as never);
    await first.UserService.login(email, 'log me in twice', true);
    await second.UserService.login(email, 'log me in twice', true);
    expect(await first.UserService.isValidLogin()).toBe(false);
    expect(await second.UserService.isValidLogin()).toBe(true);
  });

  it('BACKENDLESS_MULTIPLE_LOGINS=2 allows two, and the third gets 3044', async () => {
    const server = await startTestServer({ BACKENDLESS_MULTIPLE_LOGINS: '2' });
    try {
      const apps = [appFor(server), appFor(server), appFor(server)] as const;
      const email = uniqueEmail('thrice');
      await apps[0].UserService.register({ email, password: 'three logins' } as never);
      await apps[0].UserService.login(email, 'three logins', true);
      await apps[1].UserService.login(email, 'three logins', true);
      expect(await failure(apps[2].UserService.login(email, 'three logins', true))).toMatchObject({ code: 3044 });
      expect(await apps[0].UserService.isValidLogin()).toBe(true);
      expect(await apps[1].UserService.isValidLogin()).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('REQUIRE_EMAIL_CONFIRMATION=true', () => {
  it('registers users as EMAIL_CONFIRMATION_PENDING and answers their login with 3087 until the link is followed', async () => {
    const server = await startTestServer({ REQUIRE_EMAIL_CONFIRMATION: 'true' });
    try {
      const app = appFor(server);
      const email = uniqueEmail('pending');
      const registered = (await app.UserService.register({ email, password: 'confirm me first' } as never)) as unknown as Json;
      expect(registered).toMatchObject({ userStatus: 'EMAIL_CONFIRMATION_PENDING', emailConfirmed: false });
      expect(await failure(app.UserService.login(email, 'confirm me first'))).toMatchObject({ code: 3087 });

      await app.UserService.resendEmailConfirmation(email);
      const link = await vi.waitFor(() => {
        const links = server.notices.sent.filter((n) => n.kind === 'verify-email' && n.to === email);
        if (links.length < 2) throw new Error('no second link yet');
        return server.notices.last('verify-email', email).link;
      });
      expect((await fetch(link)).status).toBe(200);
      expect(await app.UserService.login(email, 'confirm me first')).toMatchObject({ userStatus: 'ENABLED', emailConfirmed: true });
    } finally {
      await server.close();
    }
  });

  it('keeps a new 2FA account out until then too: authWith2FA answers 3087, and the first login after it asks for the code', async () => {
    const server = await startTestServer({ REQUIRE_EMAIL_CONFIRMATION: 'true' });
    try {
      const app = appFor(server);
      const email = uniqueEmail('pending-2fa');
      const { transactionId, secret } = (await app.UserService.register({ email, password: 'confirm me first', totpAuthEnabled: true } as never)) as unknown as Json;
      nextStep(server);
      expect(await failure(app.CustomServices.invoke('TOTP', 'authWith2FA', { transactionId, code: authenticatorCode(secret, server.clock) }))).toMatchObject({ code: 3087 });
      expect((await fetch(server.notices.last('verify-email', email).link)).status).toBe(200);
      const login = (await app.UserService.login(email, 'confirm me first')) as unknown as Json;
      nextStep(server);
      const user = (await app.CustomServices.invoke('TOTP', 'authWith2FA', { transactionId: login.transactionId, code: authenticatorCode(secret, server.clock) })) as Json;
      expect(user).toMatchObject({ email, totpAuthEnabled: true, 'user-token': expect.any(String) });
    } finally {
      await server.close();
    }
  });
});

describe('calls twofold does not offer', () => {
  it('answer a Backendless error naming the call, never 1000', async () => {
    const app = appFor(t);
    const guest = await failure(app.UserService.loginAsGuest());
    expect(guest).toMatchObject({ code: 8850, status: 501 });
    expect(guest.message).toContain('Users.loginAsGuest');
    // Where Backendless itself refuses an app's ordinary API key, its own answer.
    const byId = await failure(app.UserService.login(crypto.randomUUID()));
    expect(byId).toMatchObject({ code: 2014, message: 'Login by object id is allowed only for Code Runner API key' });
    const { user } = await seedUser(app);
    expect(await failure(app.UserService.verifyPassword('DontDrinkAndDrive'))).toMatchObject({ code: 3122 });
    expect(await failure(app.UserService.disableUser(user.objectId))).toMatchObject({ code: 3054 });
    expect(await failure(app.UserService.getUserRoles())).toMatchObject({ code: 8850 });
    const unknown = await failure(app.UserService.createEmailConfirmationURL(user.email));
    expect(unknown.message).toContain('Users.createEmailConfirmationURL');
    const other = await t.request('POST', `/api/users/some/future/call`, { body: {} });
    expect(other.body).toMatchObject({ code: 8850, message: expect.stringContaining('POST users/some/future/call') });
  });
});
