// The operator's HTTP API (issue 19, item 2): `/v1/admin/*` with scoped admin API tokens, hashed at rest. Every
// call is an audit event; no answer ever carries a secret (a TOTP key, a backup code, a token or any stored hash —
// a stolen admin token must not turn into the users' factors); a reset of one factor ends the user's sessions and
// mails them; session introspection answers like RFC 7662.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestResponse } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { enrolledUser, startLogin, verify, type EnrolledUser } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { createClient, TwofoldClientError } from '../../src/client/index.ts';
import type { AdminScope } from '../../src/core/admin/tokens.ts';

let t: TestServer;
/** Every admin API answer of this file, searched for secrets at the end. */
const answers: TestResponse[] = [];
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function adminToken(scopes: AdminScope[], ttlSeconds?: number) {
  const { token, secret } = await t.server.core.admin.tokens.create({ name: `test ${scopes.join(' ')}`, scopes, ttlSeconds: ttlSeconds ?? null });
  return { id: token.id, secret };
}
async function asAdmin(secret: string, method: string, path: string, body?: unknown) {
  const res = await t.request(method, path, { token: secret, ...(body !== undefined ? { body } : {}) });
  answers.push(res);
  return res;
}

let reader: { id: string; secret: string };
let writer: { id: string; secret: string };
beforeAll(async () => {
  reader = await adminToken(['users:read', 'audit:read']);
  writer = await adminToken(['users:read', 'users:write']);
});

describe('admin API tokens', () => {
  it('refuses a call without a token, with a user session token, or with garbage: 401 admin_token_invalid', async () => {
    const user = await enrolledUser(t, 'adm-nosess');
    for (const token of [undefined, user.token, 'tfadm_not-a-real-token']) {
      const res = await t.request('GET', '/v1/admin/users', token ? { token } : {});
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('admin_token_invalid');
    }
  });

  it('refuses a call outside the token scopes: 403 admin_scope_missing, naming the scope', async () => {
    const introspectOnly = await adminToken(['sessions:introspect']);
    const res = await t.request('GET', '/v1/admin/users', { token: introspectOnly.secret });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'admin_scope_missing', details: { needs: 'users:read' } });
    const write = await t.request('POST', `/v1/admin/users/${crypto.randomUUID()}/unlock`, { token: reader.secret });
    expect(write.body.error.code).toBe('admin_scope_missing');
  });

  it('a revoked or expired token stops working at once', async () => {
    const revoked = await adminToken(['users:read']);
    expect((await t.request('GET', '/v1/admin/users?limit=1', { token: revoked.secret })).status).toBe(200);
    await t.server.core.admin.tokens.revoke(revoked.id);
    expect((await t.request('GET', '/v1/admin/users?limit=1', { token: revoked.secret })).status).toBe(401);

    const shortLived = await adminToken(['users:read'], 60);
    expect((await t.request('GET', '/v1/admin/users?limit=1', { token: shortLived.secret })).status).toBe(200);
    t.clock.advance(61_000);
    expect((await t.request('GET', '/v1/admin/users?limit=1', { token: shortLived.secret })).status).toBe(401);
  });

  it('stores tokens only as hashes, and lists them without secrets', async () => {
    const { secret } = await adminToken(['users:read']);
    const rows = await t.server.db.query<{ token_hash: Buffer }>('SELECT token_hash FROM admin_tokens');
    expect(rows.some((r) => r.token_hash.toString('utf8').includes(secret))).toBe(false);
    const listed = JSON.stringify(await t.server.core.admin.tokens.list());
    expect(listed).not.toContain(secret);
  });
});

describe('users and their factors', () => {
  let user: EnrolledUser;
  beforeAll(async () => {
    user = await enrolledUser(t, 'adm-status');
    const transactionId = await startLogin(t, user.email, user.password);
    expect((await verify(t, transactionId, user.backupCodes[0])).status).toBe(201);
  });

  it('searches by part of the address and shows which factors are set, since when, and last used', async () => {
    const res = await asAdmin(reader.secret, 'GET', `/v1/admin/users?search=${encodeURIComponent(user.email.slice(0, -5))}`);
    expect(res.status).toBe(200);
    const found = res.body.users.find((u: { id: string }) => u.id === user.userId);
    expect(found).toMatchObject({
      email: user.email,
      roles: [],
      hasSecondFactor: true,
      lockedUntil: null,
      factors: {
        totp: { setAt: expect.any(String), lastUsedAt: expect.any(String) },
        email: null,
        passkeys: [],
        backupCodes: { remaining: 11, setAt: expect.any(String), lastUsedAt: expect.any(String) },
        rememberedDevices: 0,
      },
    });
  });

  it('filters users with or without a second factor', async () => {
    const plain = uniqueEmail('adm-plain');
    await t.request('POST', '/v1/users', { body: { email: plain, password: 'a plain old password' } });
    const without = await asAdmin(reader.secret, 'GET', `/v1/admin/users?hasSecondFactor=false&search=${encodeURIComponent(plain)}`);
    expect(without.body.users.map((u: { email: string }) => u.email)).toEqual([plain]);
    const withFactor = await asAdmin(reader.secret, 'GET', `/v1/admin/users?hasSecondFactor=true&search=${encodeURIComponent(plain)}`);
    expect(withFactor.body.users).toEqual([]);
  });

  it("shows one user with live sessions and each session's amr, and reads their security events", async () => {
    const one = await asAdmin(reader.secret, 'GET', `/v1/admin/users/${user.userId}`);
    expect(one.status).toBe(200);
    expect(one.body.sessions.map((s: { amr: string[] }) => s.amr)).toContainEqual(['pwd', 'otp', 'mfa']);
    const events = await asAdmin(reader.secret, 'GET', `/v1/admin/users/${user.userId}/events?limit=5`);
    expect(events.body.events.map((e: { kind: string }) => e.kind)).toContain('login_succeeded');
    expect((await asAdmin(reader.secret, 'GET', `/v1/admin/users/${crypto.randomUUID()}`)).body.error.code).toBe('user_not_found');
  });

  it('records every call as an audit event naming the token, the operation and the user', async () => {
    await asAdmin(reader.secret, 'GET', `/v1/admin/users/${user.userId}`);
    const events = await t.server.core.admin.events({ kind: 'admin_api_call', userId: user.userId, limit: 50 });
    expect(events.map((e) => e.details)).toContainEqual(expect.objectContaining({ tokenId: reader.id, operation: 'users.show' }));
    expect(events[0]!.client).toBe('admin-api');
  });
});

describe('resetting factors', () => {
  it('removes only the authenticator (and its backup codes), ends every session and mails the user', async () => {
    const user = await enrolledUser(t, 'adm-reset');
    const res = await asAdmin(writer.secret, 'POST', `/v1/admin/users/${user.userId}/reset`, { factor: 'totp' });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ hasSecondFactor: false, factors: { totp: null, backupCodes: null } });
    expect((await t.request('GET', '/v1/me', { token: user.token })).status).toBe(401);
    expect(t.notices.last('factors-reset', user.email)).toMatchObject({ factors: ['totp'] });
    // Sign-in asks for nothing now; the audit log says who did it.
    expect((await t.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password } })).status).toBe(201);
    const audited = await t.server.core.admin.events({ kind: 'factors_reset', userId: user.userId, limit: 1 });
    expect(audited[0]).toMatchObject({ client: 'admin-api', details: { factors: ['totp'] } });
  });

  it('removing remembered devices leaves the authenticator, and still ends the sessions', async () => {
    const user = await enrolledUser(t, 'adm-devices');
    const transactionId = await startLogin(t, user.email, user.password);
    t.clock.advance(30_000);
    await t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, code: authenticatorCode(user.secret, t.clock), rememberDevice: true } });
    expect((await asAdmin(reader.secret, 'GET', `/v1/admin/users/${user.userId}`)).body.user.factors.rememberedDevices).toBe(1);
    const res = await asAdmin(writer.secret, 'POST', `/v1/admin/users/${user.userId}/reset`, { factor: 'remembered_devices' });
    expect(res.body.user.factors).toMatchObject({ rememberedDevices: 0, totp: { setAt: expect.any(String) } });
    expect((await t.request('GET', '/v1/me', { token: user.token })).status).toBe(401);
  });

  it('refuses an unknown factor name', async () => {
    const user = await enrolledUser(t, 'adm-badfactor');
    const res = await asAdmin(writer.secret, 'POST', `/v1/admin/users/${user.userId}/reset`, { factor: 'sms' });
    expect(res.status).toBe(400);
  });

  it('unlocks an account locked by wrong codes', async () => {
    const user = await enrolledUser(t, 'adm-unlock');
    for (let i = 0; i < 10; i++) await t.request('POST', '/v1/me/step-up', { token: user.token, body: { operation: 'pay', code: '000000' } });
    const locked = await asAdmin(reader.secret, 'GET', `/v1/admin/users/${user.userId}`);
    expect(locked.body.user.lockedUntil).not.toBeNull();
    const res = await asAdmin(writer.secret, 'POST', `/v1/admin/users/${user.userId}/unlock`);
    expect(res.body.user.lockedUntil).toBeNull();
    t.clock.advance(30_000);
    const stepUp = await t.request('POST', '/v1/me/step-up', { token: user.token, body: { operation: 'pay', code: authenticatorCode(user.secret, t.clock) } });
    expect(stepUp.status).toBe(200);
  });

  it('sets roles with the roles:write scope only; the user list shows them, and a bad name is refused', async () => {
    const user = await enrolledUser(t, 'adm-roles');
    const path = `/v1/admin/users/${user.userId}/roles`;
    expect((await asAdmin(writer.secret, 'PUT', path, { roles: ['staff'] })).body.error).toMatchObject({ code: 'admin_scope_missing', details: { needs: 'roles:write' } });
    const roles = await adminToken(['roles:write']);
    const set = await asAdmin(roles.secret, 'PUT', path, { roles: ['staff', 'Support-EU', 'staff'] });
    expect(set.status).toBe(200);
    expect(set.body.user.roles).toEqual(['staff', 'support-eu']);
    expect((await asAdmin(reader.secret, 'GET', `/v1/admin/users/${user.userId}`)).body.user.roles).toEqual(['staff', 'support-eu']);
    const bad = await asAdmin(roles.secret, 'PUT', path, { roles: ['no spaces'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const events = await t.server.core.users.events(user.userId, { limit: 10 });
    expect(events.map((e) => e.kind)).toContain('roles_changed');
  });
});

describe('the audit head and the typed client', () => {
  it('publishes the signed audit head', async () => {
    const res = await asAdmin(reader.secret, 'GET', '/v1/admin/audit/head');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ digest: expect.stringMatching(/^[0-9a-f]{64}$/), signature: expect.any(String), publicKey: expect.any(String) });
  });

  it('the typed client calls the admin API with an admin token', async () => {
    const client = createClient({ baseUrl: t.url, token: writer.secret });
    const user = await enrolledUser(t, 'adm-client');
    const { users } = await client.admin.users.search({ search: user.email });
    expect(users[0]!.factors.totp).not.toBeNull();
    const { user: after } = await client.admin.users.reset(user.userId, 'all');
    expect(after.hasSecondFactor).toBe(false);
    await expect(client.admin.webhooks.list()).rejects.toMatchObject({ code: 'admin_scope_missing' });
    await expect(client.admin.auditHead()).rejects.toMatchObject({ code: 'admin_scope_missing' } satisfies Partial<TwofoldClientError>);
  });
});

describe('session introspection for app backends (RFC 7662)', () => {
  let app: { secret: string };
  beforeAll(async () => {
    app = await adminToken(['sessions:introspect']);
  });

  it('answers active, sub, amr, iat and exp for a live session', async () => {
    const user = await enrolledUser(t, 'adm-introspect');
    const transactionId = await startLogin(t, user.email, user.password);
    t.clock.advance(30_000);
    const signedIn = await verify(t, transactionId, authenticatorCode(user.secret, t.clock));
    const res = await asAdmin(app.secret, 'POST', '/v1/sessions/introspect', { token: signedIn.body.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: true, sub: user.userId, amr: ['pwd', 'otp', 'mfa'], client_id: 'rest', token_type: 'Bearer' });
    expect(res.body.exp).toBe(Math.floor(Date.parse(signedIn.body.expiresAt) / 1000));
    expect(res.body.iat).toBeLessThanOrEqual(res.body.exp);
    expect(res.body.second_factor_at).toBeGreaterThanOrEqual(res.body.iat);
  });

  it('answers only {active: false} for a signed-out, unknown or malformed token', async () => {
    const user = await enrolledUser(t, 'adm-introspect-out');
    await t.request('DELETE', '/v1/sessions/current', { token: user.token });
    for (const token of [user.token, 'no-such-token', 'x'.repeat(300)]) {
      const res = await asAdmin(app.secret, 'POST', '/v1/sessions/introspect', { token });
      expect(res.body).toEqual({ active: false });
    }
  });

  it('needs the sessions:introspect scope', async () => {
    const res = await t.request('POST', '/v1/sessions/introspect', { token: reader.secret, body: { token: 'whatever' } });
    expect(res.body.error.code).toBe('admin_scope_missing');
  });
});

describe('no secret in any answer', () => {
  it('no admin API answer of this file holds a TOTP key, a backup code, a token or a stored hash', async () => {
    const db = t.server.db;
    const stored = [
      ...(await db.query<{ v: string }>('SELECT secret_sealed AS v FROM totp_credentials')),
      ...(await db.query<{ v: string }>('SELECT code_hash AS v FROM backup_codes')),
      ...(await db.query<{ v: string }>("SELECT encode(token_hash, 'hex') AS v FROM sessions")),
      ...(await db.query<{ v: string }>("SELECT encode(token_hash, 'hex') AS v FROM admin_tokens")),
      ...(await db.query<{ v: string }>('SELECT password_hash AS v FROM users')),
    ]
      .map((r) => r.v)
      // The suite's database is shared: other files' fixtures store placeholders ("a", "not a hash") that any text
      // holds. Real sealed secrets, hashes and tokens are long.
      .filter((v) => v.length >= 16);
    const user = await enrolledUser(t, 'adm-secrets');
    answers.push(await asAdmin(reader.secret, 'GET', `/v1/admin/users/${user.userId}`));
    const secrets = [...stored, user.secret, ...user.backupCodes, user.token, reader.secret, writer.secret];
    expect(answers.length).toBeGreaterThan(15);
    const text = answers.map((a) => JSON.stringify(a.body)).join('\n');
    for (const secret of secrets) expect(text.includes(secret), `an answer holds ${secret.slice(0, 6)}…`).toBe(false);
  });
});

describe('/metrics', () => {
  it('has a gauge of users with and without a second factor, as the database counts them', async () => {
    await enrolledUser(t, 'adm-metrics');
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const reading = (label: string) => Number(new RegExp(`^twofold_users\\{second_factor="${label}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    const [counted] = await t.server.db.query<{ with: number; without: number }>(
      `SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM totp_credentials c WHERE c.user_id = u.id AND c.state IN ('active', 'armed'))
          OR (u.email_2fa_enabled_at IS NOT NULL AND u.email_verified_at IS NOT NULL) OR EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = u.id))::int AS with,
              count(*)::int AS all FROM users u`,
    );
    expect(reading('yes')).toBeGreaterThanOrEqual(1);
    expect(reading('yes')).toBe(counted!.with);
    expect(reading('yes') + reading('no')).toBe((counted as unknown as { all: number }).all);
  });
});
