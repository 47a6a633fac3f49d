// Threat 10 (secrets in the clear), OWASP ASVS 2.4.1 / 2.7.5 / 3.5.2: someone who steals a database dump
// must find no password, session token or verification token in it — only hashes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { dumpDatabase } from '../helpers/dump.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('a database dump', () => {
  it('holds no password, session token or verification token in the clear', async () => {
    const secrets: string[] = [];
    for (let i = 0; i < 3; i++) {
      const email = uniqueEmail('dump');
      const password = `Secret-Password-${i}-${Math.random().toString(36).slice(2)}`;
      await t.request('POST', '/v1/users', { body: { email, password } });
      const login = await t.request('POST', '/v1/sessions', { body: { login: email, password } });
      const link = new URL(t.notices.last('verify-email', email).link);
      secrets.push(password, login.body.token, link.searchParams.get('token')!);
    }
    const dump = await dumpDatabase(await testDb());
    expect(dump.length).toBeGreaterThan(100);
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });
});
