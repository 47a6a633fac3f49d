// Many instances on one PostgreSQL behave as one server: a full 2FA sign-in spread round-robin over three
// processes, and a DDP session on one instance revoked through REST on another.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeBase32 } from '../../src/core/otp/base32.ts';
import { generateTOTP } from '../../src/core/otp/totp.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { TEST_KEYS } from '../helpers/server.ts';
import { connectSimpleDdp, ddpError } from '../helpers/ddp-clients.ts';

let servers: ServerProcess[] = [];
const swallow = () => undefined;
beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  const env = { DATABASE_URL: inject('databaseUrl')!, TWOFOLD_SECRET_KEYS: TEST_KEYS };
  servers = await Promise.all([startServerProcess(env), startServerProcess(env), startServerProcess(env)]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  process.off('unhandledRejection', swallow);
});

async function call(server: ServerProcess, method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, any> };
}

describe('three instances, one database', () => {
  it('register on one, sign in on another, verify on a third', async () => {
    const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const email = `rr.${Date.now()}@example.test`;
    const reg = await call(a, 'POST', '/v1/users', { email, password: 'round robin!', totp: true });
    const key = decodeBase32(reg.body.totp.secret);
    const now = Date.now();
    expect((await call(b, 'POST', '/v1/sessions/second-factor', { transactionId: reg.body.totp.transactionId, code: generateTOTP(key, now) })).status).toBe(201);

    const login = await call(b, 'POST', '/v1/sessions', { login: email, password: 'round robin!' });
    expect(login.status).toBe(202);
    const done = await call(c, 'POST', '/v1/sessions/second-factor', { transactionId: login.body.transactionId, code: generateTOTP(key, now + 30_000) });
    expect(done.status).toBe(201);
    expect((await call(a, 'GET', '/v1/me', undefined, done.body.token)).body.user.email).toBe(email);
  });

  it('a DDP session on one instance dies when REST on another revokes it', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const email = `ddprevoke.${Date.now()}@example.test`;
    await call(b, 'POST', '/v1/users', { email, password: 'revoke me later' });
    const rest = (await call(b, 'POST', '/v1/sessions', { login: email, password: 'revoke me later' })).body.token as string;

    const ddp = await connectSimpleDdp(`${a.url.replace('http', 'ws')}/websocket`);
    try {
      const login = await ddp.login({ user: { email }, password: 'revoke me later' });
      expect(await ddp.call('2fa:enable')).toHaveProperty('secret');
      const sessions = (await call(b, 'GET', '/v1/me/sessions', undefined, rest)).body.sessions as Array<{ id: string; client: string }>;
      const ddpSession = sessions.find((s) => s.client === 'ddp')!;
      expect((await call(b, 'DELETE', `/v1/me/sessions/${ddpSession.id}`, undefined, rest)).status).toBe(204);
      expect(await ddpError(ddp.call('2fa:enable'))).toMatchObject({ error: 'not-authorized' });
      expect(await ddpError(ddp.call('login', { resume: login.token }))).toMatchObject({ error: 403 });
    } finally {
      await ddp.disconnect();
    }
  });
});
