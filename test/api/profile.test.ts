// The app's own properties of a user on the native API: given at registration, read with GET /v1/me, changed
// with PATCH /v1/me. They never change the account itself: its names are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function signedIn(profile?: Record<string, unknown>) {
  const email = uniqueEmail('profile');
  const registered = await t.request('POST', '/v1/users', { body: { email, password: 'profile password', ...(profile ? { profile } : {}) } });
  expect(registered.status).toBe(201);
  const { token } = (await t.request('POST', '/v1/sessions', { body: { login: email, password: 'profile password' } })).body;
  return { token, registered: registered.body };
}

const patch = (token: string, profile: unknown) => t.request('PATCH', '/v1/me', { token, body: { profile } });

describe('the profile', () => {
  it('is kept from registration and read with the user', async () => {
    const { token, registered } = await signedIn({ name: 'Ann', phone: '+44 20 7946 0000', newsletter: true, address: { city: 'Leeds' } });
    expect(registered.profile).toEqual({ name: 'Ann', phone: '+44 20 7946 0000', newsletter: true, address: { city: 'Leeds' } });
    expect((await t.request('GET', '/v1/me', { token })).body).toMatchObject({ user: { email: registered.user.email }, profile: { name: 'Ann', address: { city: 'Leeds' } } });
  });

  it('changes only the properties named; null removes one', async () => {
    const { token } = await signedIn({ name: 'Ann', phone: '1' });
    expect((await patch(token, { phone: '2', city: 'York' })).body.profile).toEqual({ name: 'Ann', phone: '2', city: 'York' });
    expect((await patch(token, { name: null })).body.profile).toEqual({ phone: '2', city: 'York' });
    expect((await t.request('GET', '/v1/me', { token })).body.profile).toEqual({ phone: '2', city: 'York' });
  });

  it('refuses the account’s own names, bad names, deep values and too much', async () => {
    const { token } = await signedIn();
    for (const name of ['email', 'password', 'objectId', 'totpAuthEnabled', 'USERSTATUS']) {
      const refused = await patch(token, { [name]: 'x' });
      expect(refused.status, name).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'property_protected', details: { property: name } });
    }
    for (const [profile, property] of [
      [{ 'with space': 1 }, 'with space'],
      [{ _private: 1 }, '_private'],
      [{ ['x'.repeat(65)]: 1 }, 'x'.repeat(65)],
      [{ deep: [[[[[[[[[1]]]]]]]]] }, 'deep'],
      [{ blob: 'x'.repeat(17 * 1024) }, 'profile'],
      [Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`p${i}`, i])), 'profile'],
    ] as const) {
      const refused = await patch(token, profile);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'property_invalid', details: { property, rule: expect.any(String) } });
    }
    expect((await t.request('GET', '/v1/me', { token })).body.profile).toEqual({});
  });

  it('refuses a bad property at registration before any account exists', async () => {
    const email = uniqueEmail('bad-profile');
    const refused = await t.request('POST', '/v1/users', { body: { email, password: 'profile password', profile: { email: 'other@example.test' } } });
    expect(refused.body.error.code).toBe('property_protected');
    expect((await t.request('POST', '/v1/users', { body: { email, password: 'profile password' } })).status).toBe(201);
  });

  it('needs a session', async () => {
    expect((await t.request('PATCH', '/v1/me', { body: { profile: { a: 1 } } })).status).toBe(401);
  });
});
