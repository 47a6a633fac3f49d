// Threat 9 (enumeration) at registration, OWASP ASVS 2.1 / WSTG-IDNT-04: with REGISTRATION_PRIVACY (the default), the
// native API answers a registration of an address that already has an account exactly like a new registration —
// same status, same shape, comparable time — writes nothing, and mails the address's owner instead. Backendless and
// Rocket.Chat keep their products' documented answers (3033, …).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';

let t: TestServer;
let open: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  open = await startTestServer({ REGISTRATION_PRIVACY: 'false' });
});
afterAll(async () => {
  await t.close();
  await open.close();
});

const shape = (body: Record<string, any>) => ({
  keys: Object.keys(body).sort(),
  userKeys: Object.keys(body.user).sort(),
  totpKeys: body.totp ? Object.keys(body.totp).sort() : null,
});

describe('registering an address that already has an account (threat 9)', () => {
  it('answers like a new registration, writes nothing, and mails the owner', async () => {
    const email = uniqueEmail('taken');
    const first = await t.request('POST', '/v1/users', { body: { email, password: 'the owner password', totp: true } });
    const fresh = await t.request('POST', '/v1/users', { body: { email: uniqueEmail('fresh'), password: 'another password', totp: true } });
    const again = await t.request('POST', '/v1/users', { body: { email, password: 'an intruder password', totp: true } });
    expect(again.status).toBe(fresh.status);
    expect(shape(again.body)).toEqual(shape(fresh.body));
    expect(again.body.user.id).not.toBe(first.body.user.id);
    expect(t.notices.last('registration-attempt', email).to).toBe(email);

    const count = await t.server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE email_normalized = $1', [email]);
    expect(count[0]!.n).toBe(1);
    // The intruder's password signs nobody in; the owner's still does.
    expect((await t.request('POST', '/v1/sessions', { body: { login: email, password: 'an intruder password' } })).status).toBe(401);
    expect((await t.request('POST', '/v1/sessions', { body: { login: email, password: 'the owner password' } })).status).toBe(201);
  });

  it('takes comparable time (the password is hashed either way)', async () => {
    const email = uniqueEmail('timing');
    await t.request('POST', '/v1/users', { body: { email, password: 'the owner password' } });
    const time = async (address: string) => {
      const started = performance.now();
      await t.request('POST', '/v1/users', { body: { email: address, password: 'a timing password' } });
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const taken: number[] = [];
    const free: number[] = [];
    for (let i = 0; i < 15; i++) {
      taken.push(await time(email));
      free.push(await time(uniqueEmail('free')));
    }
    // Both are dominated by one argon2id hash; a shortcut for known addresses would be several times faster.
    expect(median(taken) / median(free)).toBeGreaterThan(0.5);
  });

  it('says "exists" where the operator turned the privacy off, and on the products that document it', async () => {
    const email = uniqueEmail('open');
    await open.request('POST', '/v1/users', { body: { email, password: 'the owner password' } });
    const again = await open.request('POST', '/v1/users', { body: { email, password: 'the owner password' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('user_exists');
    // Backendless documents 3033 for this, and its SDK users rely on it: the privacy setting does not touch it.
    const { appId, apiKey } = t.server.backendless;
    const taken = await fetch(`${t.url}/${appId}/${apiKey}/users/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'whatever you like' }),
    });
    expect(await taken.json()).toMatchObject({ code: 3033 });
  });
});
