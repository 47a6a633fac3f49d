// Threat 10 (secrets in the clear), OWASP ASVS 2.4.1 / 2.7.5 / 3.5.2: someone who steals a database dump
// must find no password, session token, verification token or password reset token in it — only hashes.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { dumpDatabase } from '../helpers/dump.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('a database dump', () => {
  it('holds no password, session token, verification token or reset token in the clear', async () => {
    const secrets: string[] = [];
    for (let i = 0; i < 3; i++) {
      const email = uniqueEmail('dump');
      const password = `Secret-Password-${i}-${Math.random().toString(36).slice(2)}`;
      await t.request('POST', '/v1/users', { body: { email, password } });
      const login = await t.request('POST', '/v1/sessions', { body: { login: email, password } });
      const link = new URL(t.notices.last('verify-email', email).link);
      secrets.push(password, login.body.token, link.searchParams.get('token')!);
      await t.request('POST', '/v1/password-resets', { body: { email } });
      const reset = await vi.waitFor(() => t.notices.last('password-reset', email));
      const resetToken = decodeURIComponent(new URL(reset.link).hash.replace('#reset=', ''));
      const newPassword = `${password}-reset`;
      expect((await t.request('POST', '/v1/password-resets/confirm', { body: { token: resetToken, password: newPassword } })).status).toBe(204);
      secrets.push(resetToken, newPassword);
    }
    const dump = await dumpDatabase(await testDb());
    expect(dump.length).toBeGreaterThan(100);
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });
});
