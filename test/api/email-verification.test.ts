import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectSimpleDdp, ddpError, sha256 } from '../helpers/ddp-clients.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function registerAndGetLink() {
  const email = uniqueEmail('verify');
  const res = await t.request('POST', '/v1/users', { body: { email, password: 'a fine password' } });
  const link = new URL(t.notices.last('verify-email', email).link);
  return { email, userId: res.body.user.id as string, path: `${link.pathname}${link.search}`, token: link.searchParams.get('token')! };
}

describe('email verification', () => {
  it('verifies the address when the user follows the link, once', async () => {
    const { email, password, path } = { ...(await registerAndGetLink()), password: 'a fine password' };
    const page = await fetch(`${t.url}${path}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-store');

    const { token } = (await t.request('POST', '/v1/sessions', { body: { login: email, password } })).body;
    expect((await t.request('GET', '/v1/me', { token })).body.user.emailVerified).toBe(true);

    expect((await fetch(`${t.url}${path}`)).status).toBe(400);
  });

  it('accepts the token through the JSON API too', async () => {
    const { token } = await registerAndGetLink();
    const res = await t.request('POST', '/v1/email-verification', { body: { token } });
    expect(res.status).toBe(200);
    expect(res.body.user.emailVerified).toBe(true);
    const again = await t.request('POST', '/v1/email-verification', { body: { token } });
    expect(again.body.error.code).toBe('verification_token_invalid');
  });

  it('refuses an expired link', async () => {
    const { token, userId } = await registerAndGetLink();
    const db = await testDb();
    await db.query(`UPDATE email_verifications SET expires_at = now() - interval '1 minute' WHERE user_id = $1`, [userId]);
    const res = await t.request('POST', '/v1/email-verification', { body: { token } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('verification_token_invalid');
  });

  it('verifies once when the link is followed many times at once', async () => {
    const { token } = await registerAndGetLink();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.request('POST', '/v1/email-verification', { body: { token } })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('sends a new link on request, and refuses once verified', async () => {
    const email = uniqueEmail('resend');
    await t.request('POST', '/v1/users', { body: { email, password: 'a fine password' } });
    const { token } = (await t.request('POST', '/v1/sessions', { body: { login: email, password: 'a fine password' } })).body;
    const first = t.notices.last('verify-email', email).link;
    expect((await t.request('POST', '/v1/me/email-verification', { token })).status).toBe(202);
    const second = t.notices.last('verify-email', email).link;
    expect(second).not.toBe(first);
    await t.request('POST', '/v1/email-verification', { body: { token: new URL(second).searchParams.get('token') } });
    const res = await t.request('POST', '/v1/me/email-verification', { token });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('email_already_verified');
  });

  it('rejects garbage tokens without a 5xx', async () => {
    for (const token of ['x', 'a'.repeat(256), '../../etc/passwd', '☃']) {
      const res = await t.request('POST', '/v1/email-verification', { body: { token } });
      expect(res.status).toBe(400);
    }
  });
});

describe('REQUIRE_EMAIL_CONFIRMATION=true', () => {
  it('keeps an unverified user out of sign-in on every wire until the link is followed; a new link needs no session', async () => {
    const server = await startTestServer({ REQUIRE_EMAIL_CONFIRMATION: 'true' });
    const ddp = await connectSimpleDdp(server.wsUrl);
    try {
      const email = uniqueEmail('required');
      await server.request('POST', '/v1/users', { body: { email, password: 'a fine password' } });
      const refused = await server.request('POST', '/v1/sessions', { body: { login: email, password: 'a fine password' } });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('email_not_confirmed');
      // Rocket.Chat's answer when Accounts_EmailVerification is on.
      expect(await ddpError(ddp.login({ user: { email }, password: { digest: sha256('a fine password'), algorithm: 'sha-256' } }))).toMatchObject({
        error: 'error-invalid-email',
        reason: 'Invalid email __email__',
      });
      // A wrong password learns nothing about the address.
      expect((await server.request('POST', '/v1/sessions', { body: { login: email, password: 'wrong password' } })).body.error.code).toBe('invalid_credentials');

      const first = server.notices.last('verify-email', email).link;
      const resend = await server.request('POST', '/v1/email-verification/resend', { body: { email } });
      const ghost = await server.request('POST', '/v1/email-verification/resend', { body: { email: uniqueEmail('ghost') } });
      expect(resend.status).toBe(202);
      expect([ghost.status, ghost.body]).toEqual([resend.status, resend.body]);
      const second = await vi.waitFor(() => {
        const link = server.notices.last('verify-email', email).link;
        if (link === first) throw new Error('no new link yet');
        return link;
      });
      expect((await fetch(second)).status).toBe(200);
      expect((await server.request('POST', '/v1/sessions', { body: { login: email, password: 'a fine password' } })).status).toBe(201);
    } finally {
      await ddp.disconnect().catch(() => undefined);
      await server.close();
    }
  });
});
