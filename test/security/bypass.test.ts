// Threat 5 (second-factor bypass), OWASP ASVS 2.8 / security.md: no login path — native REST, the
// Backendless façade, DDP password login, DDP resume, DDP {totp} login — gives a user with an active factor
// a usable token before the factor is verified. "Pending second factor" is a state of session issuance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser } from '../helpers/accounts.ts';
import { connectSimpleDdp, ddpError, sha256 } from '../helpers/ddp-clients.ts';
import { testDb } from '../helpers/db.ts';

let t: TestServer;
const swallow = () => undefined;
beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
  process.off('unhandledRejection', swallow);
});

async function sessionCount(userId: string): Promise<number> {
  const rows = await (await testDb()).query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [userId]);
  return rows[0]!.n;
}

describe('a user with an active authenticator and the right password, but no code', () => {
  it('gets no token from any login path', async () => {
    const { email, password, userId } = await enrolledUser(t, 'bypass');
    const before = await sessionCount(userId);

    const native = await t.request('POST', '/v1/sessions', { body: { login: email, password } });
    expect(native.status).toBe(202);
    expect(JSON.stringify(native.body)).not.toMatch(/token"/);

    const { appId, apiKey } = t.server.backendless;
    const backendless = await fetch(`${t.url}/${appId}/${apiKey}/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: email, password }),
    });
    expect(Object.keys((await backendless.json()) as object)).toEqual(['transactionId']);

    const ddp = await connectSimpleDdp(t.wsUrl);
    try {
      const login = { user: { email }, password: { digest: sha256(password), algorithm: 'sha-256' } };
      expect(await ddpError(ddp.call('login', login))).toMatchObject({ error: 'totp-required' });
      expect(await ddpError(ddp.call('login', { user: { email }, password }))).toMatchObject({ error: 'totp-required' });
      for (const code of ['000000', '', 'AAAA-BBBB', 123456, null]) {
        const error = await ddpError(ddp.call('login', { totp: { login, code } }));
        expect(['totp-invalid', 'totp-required']).toContain(error.error);
      }
      expect(await ddpError(ddp.call('login', { resume: 'forged-token' }))).toMatchObject({ error: 403 });
      // The connection is not logged in either: protected calls are refused.
      expect(await ddpError(ddp.call('2fa:checkCodesRemaining'))).toMatchObject({ error: 'not-authorized' });
    } finally {
      await ddp.disconnect();
    }

    expect(await sessionCount(userId)).toBe(before);
  });

  it('cannot turn a pending-login transaction into a session without the code', async () => {
    const { email, password } = await enrolledUser(t, 'bypass2');
    const { transactionId } = (await t.request('POST', '/v1/sessions', { body: { login: email, password } })).body;
    for (const code of [undefined, null, '', ' ', '0', 'x'.repeat(64)]) {
      const res = await t.request('POST', '/v1/sessions/second-factor', { body: code === undefined ? { transactionId } : { transactionId, code } });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.body).not.toHaveProperty('token');
    }
    // The transaction id is not a bearer token.
    expect((await t.request('GET', '/v1/me', { token: transactionId })).status).toBe(401);
  });
});
