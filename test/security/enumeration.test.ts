// Threat 9 (account enumeration), OWASP ASVS 2.2 / WSTG-IDNT-04: a login with an unknown identity and one
// with a wrong password must be indistinguishable — same status, same body, comparable time (the password
// hash runs against a dummy when the user does not exist). And asking for an email code, a password reset link or a
// new confirmation link reveals nothing: the same answer (the time: reset-enumeration.pg.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { median } from '../helpers/measure.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('unknown identity vs wrong password', () => {
  it('gives the same answer in comparable time (medians within 10 % over 200 tries each)', async () => {
    const email = uniqueEmail('enum');
    await t.request('POST', '/v1/users', { body: { email, password: 'the real password' } });
    const timings = { unknown: [] as number[], wrong: [] as number[] };
    const bodies = new Set<string>();
    const login = async (login: string) => {
      const started = process.hrtime.bigint();
      const res = await t.request('POST', '/v1/sessions', { body: { login, password: 'not the password' } });
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      bodies.add(`${res.status} ${JSON.stringify(res.body)}`);
      return elapsed;
    };
    // Warm up (JIT, dummy hash), then interleave so machine noise hits both sides alike.
    for (let i = 0; i < 10; i++) await login(email);
    for (let i = 0; i < 200; i++) {
      timings.wrong.push(await login(email));
      timings.unknown.push(await login(uniqueEmail('ghost')));
    }
    expect(bodies.size).toBe(1);
    const ratio = median(timings.unknown) / median(timings.wrong);
    expect(ratio).toBeGreaterThan(0.9);
    expect(ratio).toBeLessThan(1.1);
  });

  it('does the same on the Backendless façade', async () => {
    const email = uniqueEmail('enum-bl');
    await t.request('POST', '/v1/users', { body: { email, password: 'the real password' } });
    const call = (login: string) =>
      fetch(`${t.url}/api/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: 'nope nope' }) }).then(
        async (r) => `${r.status} ${await r.text()}`,
      );
    expect(await call(email)).toBe(await call(uniqueEmail('ghost')));
  });
});

describe('asking for an email code', () => {
  it('answers alike for a registered and an unknown address on the native API', async () => {
    const email = uniqueEmail('enum-code');
    await t.request('POST', '/v1/users', { body: { email, password: 'the real password' } });
    const known = await t.request('POST', '/v1/email-codes', { body: { emailOrUsername: email } });
    const unknown = await t.request('POST', '/v1/email-codes', { body: { emailOrUsername: uniqueEmail('ghost') } });
    expect([known.status, known.body]).toEqual([unknown.status, unknown.body]);
  });
});

describe('asking for a password reset link', () => {
  it('answers alike for a registered and an unknown address', async () => {
    const email = uniqueEmail('enum-reset');
    await t.request('POST', '/v1/users', { body: { email, password: 'the real password' } });
    const known = await t.request('POST', '/v1/password-resets', { body: { email } });
    const unknown = await t.request('POST', '/v1/password-resets', { body: { email: uniqueEmail('ghost') } });
    expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
  });

  it('answers alike on the Backendless façade, and for a new confirmation link', async () => {
    const email = uniqueEmail('enum-bl-reset');
    await t.request('POST', '/v1/users', { body: { email, password: 'the real password' } });
    const call = (path: string, method = 'GET') => fetch(`${t.url}/api/users/${path}`, { method }).then(async (r) => `${r.status} ${await r.text()}`);
    expect(await call(`restorepassword/${encodeURIComponent(email)}`)).toBe(await call(`restorepassword/${encodeURIComponent(uniqueEmail('ghost'))}`));
    expect(await call(`resendconfirmation/${email}`, 'POST')).toBe(await call(`resendconfirmation/${uniqueEmail('ghost')}`, 'POST'));
  });
});
