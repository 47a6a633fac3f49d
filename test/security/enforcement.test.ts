// Enforcement of a second factor with a grace period, on every wire (native /v1, Backendless through the real
// `backendless` SDK, DDP through simpleddp, Rocket.Chat's REST API). The threat: "2FA required" that holds on the
// sign-in page but not on API paths (a recurring complaint in peers' trackers), and a grace a user can renew
// forever. Users past their deadline without a factor get a session that can only read who they are, set up a
// factor and sign out; every other call is `second_factor_setup_required`, on every wire, including sessions issued
// before the policy was tightened.
import Backendless from 'backendless';
import EJSON from 'ejson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail, usingPostgres } from '../helpers/db.ts';
import { connectSimpleDdp, ddpError, sha256, type SimpleDdpClient } from '../helpers/ddp-clients.ts';
import { cover, enforceTestPolicy, ENFORCED_ROLE, GRACE_SECONDS, graceStartedDaysAgo } from '../helpers/enforcement.ts';
import { failure } from '../helpers/sdk-errors.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { credentials, rocketRest, verifiedUser } from '../rocketchat/helpers.ts';

let t: TestServer;
const clients: SimpleDdpClient[] = [];
const swallow = () => undefined;
beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  t = await startTestServer();
  // An embedding app's plain method that trusts the connection's user.
  t.server.ddp.method('enforcement.whoAmI', (invocation) => invocation.connection.userId);
  await enforceTestPolicy(t);
});
afterAll(async () => {
  for (const client of clients) await client.disconnect().catch(() => undefined);
  await t.close();
  process.off('unhandledRejection', swallow);
});

const password = 'enforcement test password';

/** A user with no second factor, through the native API. */
async function plainUser(label: string) {
  const email = uniqueEmail(label);
  const registered = await t.request('POST', '/v1/users', { body: { email, password } });
  expect(registered.status).toBe(201);
  return { email, userId: registered.body.user.id as string };
}

const signIn = (email: string) => t.request('POST', '/v1/sessions', { body: { login: email, password } });
const days = (n: number) => n * 86_400_000;

describe('native /v1', () => {
  it('during the grace a sign-in succeeds with setupRequired and every call works', async () => {
    const { email, userId } = await plainUser('grace');
    await cover(t, userId);
    const session = await signIn(email);
    expect(session.status).toBe(201);
    expect(session.body.setupRequired).toEqual({ deadline: expect.any(String), restricted: false });
    const deadline = new Date(session.body.setupRequired.deadline).getTime();
    expect(Math.abs(deadline - (t.clock.now().getTime() + GRACE_SECONDS * 1000))).toBeLessThan(60_000);

    const me = await t.request('GET', '/v1/me', { token: session.body.token });
    expect(me.body.setupRequired).toEqual(session.body.setupRequired);
    expect((await t.request('GET', '/v1/me/sessions', { token: session.body.token })).status).toBe(200);
  });

  it('after the deadline only reading /v1/me, setting up a factor and signing out work; enrolling makes the session full at once', async () => {
    const { email, userId } = await plainUser('overdue');
    await cover(t, userId);
    await graceStartedDaysAgo(t, userId, 8);
    const session = await signIn(email);
    expect(session.status).toBe(201);
    expect(session.body.setupRequired).toMatchObject({ restricted: true });
    const token = session.body.token as string;

    expect((await t.request('GET', '/v1/me', { token })).body.setupRequired).toMatchObject({ restricted: true });
    for (const [method, path, body] of [
      ['GET', '/v1/me/sessions', undefined],
      ['GET', '/v1/me/events', undefined],
      ['PATCH', '/v1/me', { profile: { name: 'x' } }],
      ['POST', '/v1/me/password', { currentPassword: password, newPassword: 'another long password' }],
      ['GET', '/v1/me/devices', undefined],
    ] as const) {
      const refused = await t.request(method, path, { token, ...(body ? { body } : {}) });
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'second_factor_setup_required', details: { deadline: expect.any(String) } });
    }

    const enrolment = await t.request('POST', '/v1/me/totp', { token, body: {} });
    expect(enrolment.status).toBe(201);
    t.clock.advance(30_000);
    const confirmed = await t.request('POST', '/v1/me/totp/confirm', { token, body: { code: authenticatorCode(enrolment.body.secret, t.clock) } });
    expect(confirmed.status).toBe(200);
    // The same session, at its next request: full, and no marker.
    expect((await t.request('GET', '/v1/me/sessions', { token })).status).toBe(200);
    expect((await t.request('GET', '/v1/me', { token })).body).not.toHaveProperty('setupRequired');
  });

  it('a restricted session can still sign out', async () => {
    const { email, userId } = await plainUser('signout');
    await cover(t, userId);
    await graceStartedDaysAgo(t, userId, 8);
    const { token } = (await signIn(email)).body;
    expect((await t.request('DELETE', '/v1/sessions/current', { token })).status).toBe(204);
    expect((await t.request('GET', '/v1/me', { token })).status).toBe(401);
  });

  it('tightening applies at once: an existing session gets the marker, then the restriction, at its next request', async () => {
    const { email, userId } = await plainUser('tighten');
    const { token } = (await signIn(email)).body;
    expect((await t.request('GET', '/v1/me', { token })).body).not.toHaveProperty('setupRequired');

    await t.server.core.admin.setRoles(userId, [ENFORCED_ROLE, 'staff']);
    expect((await t.request('GET', '/v1/me', { token })).body.setupRequired).toMatchObject({ restricted: false });
    await graceStartedDaysAgo(t, userId, 8);
    const refused = await t.request('GET', '/v1/me/sessions', { token });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('second_factor_setup_required');
  });

  it('the grace cannot be renewed: signing in again, or the role taken away and given back, keeps the deadline', async () => {
    const { email, userId } = await plainUser('renew');
    const first = await cover(t, userId);
    t.clock.advance(days(1));
    expect((await signIn(email)).body.setupRequired.deadline).toBe(first.setupDueAt!.toISOString());
    const dropped = await t.server.core.admin.setRoles(userId, []);
    expect(dropped.setupDueAt).toBeNull();
    expect((await signIn(email)).body).not.toHaveProperty('setupRequired');
    t.clock.advance(days(1));
    const back = await t.server.core.admin.setRoles(userId, [ENFORCED_ROLE]);
    expect(back.setupDueAt!.toISOString()).toBe(first.setupDueAt!.toISOString());
    t.clock.reset();
  });

  it('a user who has a factor is never marked, covered or not', async () => {
    const { email, userId } = await plainUser('hasfactor');
    const { token } = (await signIn(email)).body;
    const enrolment = await t.request('POST', '/v1/me/totp', { token, body: {} });
    t.clock.advance(30_000);
    expect((await t.request('POST', '/v1/me/totp/confirm', { token, body: { code: authenticatorCode(enrolment.body.secret, t.clock) } })).status).toBe(200);
    await cover(t, userId);
    await graceStartedDaysAgo(t, userId, 8);
    expect((await t.request('GET', '/v1/me', { token })).body).not.toHaveProperty('setupRequired');
    expect((await t.request('GET', '/v1/me/sessions', { token })).status).toBe(200);
  });

  // These change the one policy for every user: only on the test file's own database (PGlite), never the shared one.
  it.skipIf(usingPostgres())('a shorter grace restricts at once; a policy for everyone covers accounts created later; off lifts it', async () => {
    const { email, userId } = await plainUser('shorter');
    await cover(t, userId);
    const { token } = (await signIn(email)).body;
    expect((await t.request('GET', '/v1/me/sessions', { token })).status).toBe(200);
    await t.server.core.admin.enforcement.enforce({ everyone: false, roles: [ENFORCED_ROLE], graceSeconds: 0 });
    expect((await t.request('GET', '/v1/me/sessions', { token })).status).toBe(403);

    await t.server.core.admin.enforcement.enforce({ everyone: true, graceSeconds: 3_600 });
    const later = await plainUser('everyone');
    expect((await signIn(later.email)).body.setupRequired).toMatchObject({ restricted: false });
    expect((await t.server.core.admin.enforcement.show()).covered).toBeGreaterThanOrEqual(2);

    await t.server.core.admin.enforcement.off();
    expect((await t.request('GET', '/v1/me/sessions', { token })).status).toBe(200);
    expect((await signIn(later.email)).body).not.toHaveProperty('setupRequired');
    await enforceTestPolicy(t);
  });
});

describe('Backendless (the real SDK)', () => {
  type Json = Record<string, any>;
  const appFor = () => {
    const { appId, apiKey } = t.server.backendless;
    return Backendless.initApp({ appId, apiKey, serverURL: t.url, standalone: true }) as typeof Backendless;
  };

  it('login carries setupRequired; past the deadline only enable2FA works, then the session is full', async () => {
    const app = appFor();
    const { email, userId } = await plainUser('bl');
    await cover(t, userId);
    const inGrace = (await app.UserService.login(email, password, true)) as unknown as Json;
    expect(inGrace.setupRequired).toEqual({ deadline: expect.any(Number), restricted: false });

    await graceStartedDaysAgo(t, userId, 8);
    const restricted = (await app.UserService.login(email, password, true)) as unknown as Json;
    expect(restricted.setupRequired).toMatchObject({ restricted: true });
    const refused = await failure(app.UserService.update({ objectId: userId, nickname: 'nope' } as never));
    expect(refused).toMatchObject({ code: 8838, status: 403 });

    const { secret } = (await app.CustomServices.invoke('TOTP', 'enable2FA')) as Json;
    expect(secret).toEqual(expect.any(String));
    // An armed authenticator is a factor: sign-in asks for it from now on, and the session is full.
    const updated = (await app.UserService.update({ objectId: userId, nickname: 'set' } as never)) as unknown as Json;
    expect(updated).toMatchObject({ nickname: 'set' });
    expect(updated).not.toHaveProperty('setupRequired');
  });
});

describe('DDP (simpleddp)', () => {
  it('login carries setupRequired; past the deadline only the 2fa setup methods work', async () => {
    const { email, userId } = await plainUser('ddp');
    await cover(t, userId);
    const ddp = await connectSimpleDdp(t.wsUrl);
    clients.push(ddp);
    const login = { user: { email }, password: { digest: sha256(password), algorithm: 'sha-256' } };
    const inGrace = (await ddp.login(login)) as unknown as Record<string, any>;
    expect(inGrace.setupRequired).toMatchObject({ restricted: false });
    expect(inGrace.setupRequired.deadline).toBeInstanceOf(Date);
    expect(await ddp.call('2fa:checkCodesRemaining').catch((error: { error: string }) => error.error)).toBe('invalid-totp');

    expect(await ddp.call('enforcement.whoAmI')).toBe(userId);

    // Tightened under a live connection: its next call is refused, the embedding app's own methods too.
    await graceStartedDaysAgo(t, userId, 8);
    expect(await ddpError(ddp.call('2fa:checkCodesRemaining'))).toMatchObject({ error: 'error-2fa-setup-required', details: { deadline: expect.any(String) } });
    expect(await ddpError(ddp.call('enforcement.whoAmI'))).toMatchObject({ error: 'error-2fa-setup-required' });
    const again = await connectSimpleDdp(t.wsUrl);
    clients.push(again);
    expect(((await again.login(login)) as unknown as Record<string, any>).setupRequired).toMatchObject({ restricted: true });

    const { secret } = (await again.call('2fa:enable')) as { secret: string };
    t.clock.advance(30_000);
    const { codes } = (await again.call('2fa:validateTempToken', authenticatorCode(secret, t.clock))) as { codes: string[] };
    expect(codes.length).toBeGreaterThan(0);
    expect(await again.call('2fa:checkCodesRemaining')).toEqual({ remaining: codes.length });
  });
});

describe("Rocket.Chat's REST API", () => {
  const call = (method: string, params: unknown[] = []) => ({ message: EJSON.stringify({ msg: 'method', id: '1', method, params }) });
  const envelope = (answer: { body: { message: string } }) => EJSON.parse(answer.body.message) as { result?: any; error?: any };

  it('login carries setupRequired; past the deadline /me and email-code setup work, everything else is refused', async () => {
    const user = await verifiedUser(t, 'rcenforce');
    await cover(t, user.userId);
    const inGrace = await rocketRest(t, 'POST', 'login', { body: { user: user.username, password: user.password } });
    expect(inGrace.status).toBe(200);
    expect(inGrace.body.data.setupRequired).toMatchObject({ restricted: false });

    await graceStartedDaysAgo(t, user.userId, 8);
    const login = await rocketRest(t, 'POST', 'login', { body: { user: user.username, password: user.password } });
    expect(login.body.data.setupRequired).toMatchObject({ restricted: true });
    const headers = credentials(login.body.data);
    expect((await rocketRest(t, 'GET', 'me', { headers })).body).toMatchObject({ success: true, setupRequired: { restricted: true } });
    const refused = await rocketRest(t, 'POST', 'users.2fa.disableEmail', { headers, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ success: false, error: expect.stringContaining('Set up two-factor authentication first') });
    const viaMethod = envelope(await rocketRest(t, 'POST', 'method.call/2fa:checkCodesRemaining', { headers, body: call('2fa:checkCodesRemaining') }));
    expect(viaMethod.error).toMatchObject({ error: 'error-2fa-setup-required' });

    expect((await rocketRest(t, 'POST', 'users.2fa.enableEmail', { headers, body: {} })).body).toMatchObject({ success: true });
    const me = await rocketRest(t, 'GET', 'me', { headers });
    expect(me.body).not.toHaveProperty('setupRequired');
    expect(envelope(await rocketRest(t, 'POST', 'method.call/2fa:checkCodesRemaining', { headers, body: call('2fa:checkCodesRemaining') })).error).toMatchObject({
      error: 'invalid-totp',
    });
  });
});
