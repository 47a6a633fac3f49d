// "Remember this device for 30 days" over the native API (contract: issue 9). A second-factor sign-in with
// rememberDevice gives a device token (in the body and an HttpOnly SameSite=Strict cookie); the next
// password sign-in that carries it (X-Twofold-Device header or the cookie) gets a session without the
// second factor — only for the same user, within 30 days, until revoked (by hand, by a password change,
// by turning a factor off). A session made this way is no proof of the second factor, and the database
// keeps no device token in the clear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { dumpDatabase } from '../helpers/dump.ts';
import { enrolledUser, startLogin, type EnrolledUser } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { SoftAuthenticator } from '../helpers/webauthn-authenticator.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const DAY = 86_400_000;
const FIREFOX = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' };
const nextStep = () => t.clock.advance(30_000);

interface Device {
  id: string;
  token: string;
  expiresAt: string;
}

/** Signs in with password + authenticator code, asking to remember this device. */
async function rememberedLogin(user: EnrolledUser, headers: Record<string, string> = FIREFOX) {
  const transactionId = await startLogin(t, user.email, user.password);
  nextStep();
  const res = await t.request('POST', '/v1/sessions/second-factor', {
    body: { transactionId, code: authenticatorCode(user.secret, t.clock), rememberDevice: true },
    headers,
  });
  expect(res.status).toBe(201);
  return res;
}

async function trustedUser() {
  const user = await enrolledUser(t, 'device');
  const res = await rememberedLogin(user);
  return { user, device: res.body.device as Device, session: res.body.token as string };
}

/** The password sign-in, carrying a device token in the header (or a raw Cookie header). */
const loginWithHeader = (user: { email: string; password: string }, token: string, password = user.password) =>
  t.request('POST', '/v1/sessions', { body: { login: user.email, password }, headers: { 'x-twofold-device': token, ...FIREFOX } });
const loginWithCookie = (user: { email: string; password: string }, token: string) =>
  t.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password }, headers: { cookie: `twofold_device=${token}`, ...FIREFOX } });

const listDevices = (token: string) => t.request('GET', '/v1/me/devices', { token });

describe('remembering a device', () => {
  it('answers a second-factor sign-in with rememberDevice by a device token, in the body and an HttpOnly SameSite=Strict cookie', async () => {
    const user = await enrolledUser(t, 'remember');
    const res = await rememberedLogin(user);
    expect(res.body).toMatchObject({ token: expect.any(String), device: { id: expect.any(String), token: expect.any(String), expiresAt: expect.any(String) } });
    const { device } = res.body as { device: Device };
    expect(device.token.length).toBeGreaterThanOrEqual(32);
    const lifetime = new Date(device.expiresAt).getTime() - t.clock.now().getTime();
    expect(Math.abs(lifetime - 30 * DAY)).toBeLessThan(60_000);

    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('twofold_device='));
    expect(cookie).toBeDefined();
    const [pair, ...attributes] = cookie!.split(';').map((part) => part.trim());
    expect(pair).toBe(`twofold_device=${device.token}`);
    const lower = attributes.map((a) => a.toLowerCase());
    expect(lower).toContain('httponly');
    expect(lower).toContain('samesite=strict');
    // No Path attribute: the browser scopes the cookie to the directory of the URL that set it
    // (/v1/sessions/second-factor → /v1/sessions), so it travels to sign-ins only — also under a proxy's prefix.
    expect(lower.filter((a) => a.startsWith('path='))).toEqual([]);
    const maxAge = Number(lower.find((a) => a.startsWith('max-age='))?.slice('max-age='.length));
    expect(maxAge).toBeGreaterThan(30 * 86_400 - 60);
    expect(maxAge).toBeLessThanOrEqual(30 * 86_400);
    // Served over http: no Secure flag, or the browser would drop the cookie.
    expect(lower).not.toContain('secure');
  });

  it('marks the cookie Secure when the request came over https (behind a trusted proxy)', async () => {
    const behindProxy = await startTestServer({ PUBLIC_URL: 'https://2fa.example.test', TRUST_PROXY: 'loopback' });
    try {
      const user = await enrolledUser(behindProxy, 'tls');
      const transactionId = await startLogin(behindProxy, user.email, user.password);
      behindProxy.clock.advance(30_000);
      const res = await behindProxy.request('POST', '/v1/sessions/second-factor', {
        body: { transactionId, code: authenticatorCode(user.secret, behindProxy.clock), rememberDevice: true },
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(res.status).toBe(201);
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('twofold_device='));
      expect(cookie!.split(';').map((a) => a.trim().toLowerCase())).toContain('secure');
    } finally {
      await behindProxy.close();
    }
  });

  it('works the same after a passkey or security key: rememberDevice on the webauthn sign-in', async () => {
    const email = uniqueEmail('keydevice');
    const password = 'touch the key please';
    await t.request('POST', '/v1/users', { body: { email, password } });
    const first = (await t.request('POST', '/v1/sessions', { body: { login: email, password } })).body.token as string;
    const key = new SoftAuthenticator({ origin: t.url, rpId: '127.0.0.1' });
    const options = await t.request('POST', '/v1/me/webauthn/registration-options', { token: first, body: {} });
    expect((await t.request('POST', '/v1/me/webauthn/credentials', { token: first, body: { name: 'key', response: key.register(options.body) } })).status).toBe(201);

    const transactionId = await startLogin(t, email, password);
    const request = await t.request('POST', '/v1/sessions/webauthn-options', { body: { transactionId } });
    const done = await t.request('POST', '/v1/sessions/second-factor', {
      body: { transactionId, method: 'webauthn', webauthn: key.authenticate(request.body), rememberDevice: true },
      headers: FIREFOX,
    });
    expect(done.status).toBe(201);
    const device = done.body.device as Device;
    expect(device).toMatchObject({ id: expect.any(String), token: expect.any(String) });
    expect((await loginWithHeader({ email, password }, device.token)).status).toBe(201);

    // Removing the key is turning a factor off: the device is forgotten. (This session answered the key at
    // sign-in, within the step-up window: no new proof is needed.)
    const session = done.body.token as string;
    const [credential] = (await t.request('GET', '/v1/me/webauthn/credentials', { token: session })).body.credentials;
    const removed = await t.request('POST', `/v1/me/webauthn/credentials/${credential.id}/remove`, { token: session, body: {}, headers: FIREFOX });
    expect(removed.status).toBe(204);
    expect((await listDevices(session)).body).toEqual({ devices: [] });
  });

  it('gives nothing to remember without rememberDevice', async () => {
    const user = await enrolledUser(t, 'noremember');
    const transactionId = await startLogin(t, user.email, user.password);
    nextStep();
    const res = await t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, code: authenticatorCode(user.secret, t.clock) } });
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('device');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('twofold_device='))).toBe(false);
  });
});

describe('signing in from a remembered device', () => {
  it('gives a session straight away with the X-Twofold-Device header', async () => {
    const { user, device } = await trustedUser();
    const res = await loginWithHeader(user, device.token);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ token: expect.any(String), user: { email: user.email } });
    expect((await t.request('GET', '/v1/me', { token: res.body.token })).status).toBe(200);
  });

  it('gives a session straight away with the twofold_device cookie', async () => {
    const { user, device } = await trustedUser();
    const res = await loginWithCookie(user, device.token);
    expect(res.status).toBe(201);
    expect(res.body.token).toEqual(expect.any(String));
  });

  it('still needs the password', async () => {
    const { user, device } = await trustedUser();
    const res = await loginWithHeader(user, device.token, 'not the password');
    expect(res.status).toBe(401);
    expect(res.body).not.toHaveProperty('token');
  });

  it("ignores another user's device token: the second factor is asked", async () => {
    const { device } = await trustedUser();
    const other = await enrolledUser(t, 'otherdevice');
    const res = await loginWithHeader(other, device.token);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ secondFactorRequired: true, methods: ['totp', 'backup_code'] });
    expect((await loginWithCookie(other, device.token)).status).toBe(202);
  });

  it('ignores an unknown or malformed token', async () => {
    const user = await enrolledUser(t, 'junkdevice');
    expect((await loginWithHeader(user, 'not-a-device-token')).status).toBe(202);
    expect((await loginWithHeader(user, 'A'.repeat(43))).status).toBe(202);
  });

  it('forgets the device after 30 days', async () => {
    const { user, device } = await trustedUser();
    t.clock.advance(30 * DAY + 60_000);
    const res = await loginWithHeader(user, device.token);
    expect(res.status).toBe(202);
    expect(res.body.secondFactorRequired).toBe(true);
  });
});

describe('managing remembered devices', () => {
  it('lists them with a label from the user agent, and the last use', async () => {
    const { user, device, session } = await trustedUser();
    const before = await listDevices(session);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      devices: [{ id: device.id, label: expect.any(String), createdAt: expect.any(String), expiresAt: device.expiresAt, lastUsedAt: null }],
    });
    expect(before.body.devices[0].label).toMatch(/firefox/i);
    expect((await loginWithHeader(user, device.token)).status).toBe(201);
    const after = await listDevices(session);
    expect(after.body.devices[0].lastUsedAt).toEqual(expect.any(String));
    // Someone else sees none of them.
    const other = await enrolledUser(t, 'nosy');
    expect((await listDevices(other.token)).body).toEqual({ devices: [] });
  });

  it('revokes one with DELETE /v1/me/devices/{id}: its token then asks for the second factor', async () => {
    const { user, device, session } = await trustedUser();
    const revoked = await t.request('DELETE', `/v1/me/devices/${device.id}`, { token: session });
    expect(revoked.status).toBe(204);
    expect((await loginWithHeader(user, device.token)).status).toBe(202);
    expect((await listDevices(session)).body).toEqual({ devices: [] });
    const again = await t.request('DELETE', `/v1/me/devices/${device.id}`, { token: session });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('device_not_found');
  });

  it("refuses to revoke another user's device (404) and keeps it working", async () => {
    const { user, device } = await trustedUser();
    const other = await enrolledUser(t, 'intruder');
    const res = await t.request('DELETE', `/v1/me/devices/${device.id}`, { token: other.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('device_not_found');
    expect((await loginWithHeader(user, device.token)).status).toBe(201);
  });

  it('revokes them all when the password changes', async () => {
    const { user, device, session } = await trustedUser();
    const newPassword = 'a brand new passphrase';
    nextStep();
    const changed = await t.request('POST', '/v1/me/password', {
      token: session,
      body: { currentPassword: user.password, newPassword, code: authenticatorCode(user.secret, t.clock) },
      headers: FIREFOX,
    });
    expect(changed.status).toBe(204);
    const res = await loginWithHeader({ email: user.email, password: newPassword }, device.token);
    expect(res.status).toBe(202);
    expect((await listDevices(session)).body).toEqual({ devices: [] });
  });

  it('revokes them all when the authenticator app is turned off', async () => {
    const { user, session } = await trustedUser();
    // Two devices, to see that all go.
    await rememberedLogin(user, { 'user-agent': 'Mozilla/5.0 (Macintosh) Safari/605.1.15' });
    expect((await listDevices(session)).body.devices).toHaveLength(2);
    nextStep();
    const off = await t.request('POST', '/v1/me/totp/disable', { token: session, body: { code: authenticatorCode(user.secret, t.clock) } });
    expect(off.status).toBe(204);
    expect((await listDevices(session)).body).toEqual({ devices: [] });
  });
});

describe('a session from a remembered device', () => {
  it('is no proof of the second factor: protected operations still ask for it', async () => {
    const { user, device } = await trustedUser();
    const { token } = (await loginWithHeader(user, device.token)).body;
    const ordinary = await t.request('POST', '/v1/me/step-up', { token, body: { operation: 'transfer-money' }, headers: FIREFOX });
    expect(ordinary.status).toBe(401);
    expect(ordinary.body.error).toMatchObject({ code: 'second_factor_required', details: { method: 'totp' } });
    const weakening = await t.request('POST', '/v1/me/step-up', { token, body: { operation: 'remove-recovery', weakensAccount: true }, headers: FIREFOX });
    expect(weakening.body.error.code).toBe('second_factor_required');
    const password = await t.request('POST', '/v1/me/password', { token, body: { currentPassword: user.password, newPassword: 'no code, no change' }, headers: FIREFOX });
    expect(password.status).toBe(401);
    expect(password.body.error.code).toBe('second_factor_required');
    // With a code it goes through.
    nextStep();
    const proved = await t.request('POST', '/v1/me/step-up', { token, body: { operation: 'transfer-money', code: authenticatorCode(user.secret, t.clock) }, headers: FIREFOX });
    expect(proved.status).toBe(200);
  });
});

describe('configuration', () => {
  it('TRUSTED_DEVICE_DAYS sets the lifetime; 0 turns the feature off, also for devices remembered before', async () => {
    // Both servers share the suite's database, like two deployments of one installation.
    const week = await startTestServer({ TRUSTED_DEVICE_DAYS: '7' });
    const off = await startTestServer({ TRUSTED_DEVICE_DAYS: '0' });
    try {
      const user = await enrolledUser(week, 'weekdevice');
      const login = async (server: TestServer, rememberDevice: boolean) => {
        const transactionId = await startLogin(server, user.email, user.password);
        server.clock.advance(30_000);
        return server.request('POST', '/v1/sessions/second-factor', { body: { transactionId, code: authenticatorCode(user.secret, server.clock), rememberDevice } });
      };
      const remembered = await login(week, true);
      const lifetime = new Date(remembered.body.device.expiresAt).getTime() - week.clock.now().getTime();
      expect(Math.abs(lifetime - 7 * DAY)).toBeLessThan(60_000);

      const deviceLogin = (server: TestServer) =>
        server.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password }, headers: { 'x-twofold-device': remembered.body.device.token } });
      expect((await deviceLogin(week)).status).toBe(201);
      const offered = await deviceLogin(off);
      expect(offered.status).toBe(202);
      // The sign-in tells a client how long it may offer to remember the device: here, not at all.
      expect(offered.body.rememberDeviceDays).toBe(0);
      expect((await week.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password } })).body.rememberDeviceDays).toBe(7);
      off.clock.advance(week.clock.now().getTime() - off.clock.now().getTime());
      const notRemembered = await login(off, true);
      expect(notRemembered.status).toBe(201);
      expect(notRemembered.body).not.toHaveProperty('device');
      expect(notRemembered.headers.getSetCookie().some((c) => c.startsWith('twofold_device='))).toBe(false);
    } finally {
      await week.close();
      await off.close();
    }
  });
});

describe('storage', () => {
  it('keeps no device token in the clear', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 2; i++) tokens.push((await trustedUser()).device.token);
    const dump = await dumpDatabase(await testDb());
    for (const token of tokens) expect(dump).not.toContain(token);
  });
});
