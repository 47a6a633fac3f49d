// Session lifetime, OWASP ASVS 3.3.2: a session unused for SESSION_IDLE_SECONDS (default 7 days) ends on every wire,
// whatever its absolute lifetime (30 days); a session in use stays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { connectSimpleDdp, ddpError } from '../helpers/ddp-clients.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function signedIn() {
  const email = uniqueEmail('idle');
  await t.request('POST', '/v1/users', { body: { email, password: 'an idle password' } });
  return (await t.request('POST', '/v1/sessions', { body: { login: email, password: 'an idle password' } })).body.token as string;
}

describe('an idle session (ASVS 3.3.2)', () => {
  it('ends after 7 unused days on REST, Backendless and DDP; one in use stays', async () => {
    const idle = await signedIn();
    const busy = await signedIn();
    try {
      for (let day = 1; day <= 8; day++) {
        t.clock.advance(24 * 3600_000);
        expect((await t.request('GET', '/v1/me', { token: busy })).status).toBe(200);
      }
      const rest = await t.request('GET', '/v1/me', { token: idle });
      expect(rest.status).toBe(401);
      expect(rest.body.error).toMatchObject({ code: 'session_expired', details: { reason: 'idle' } });
      const { appId, apiKey } = t.server.backendless;
      expect(await (await fetch(`${t.url}/${appId}/${apiKey}/users/isvalidusertoken/${idle}`)).json()).toBe(false);
      const ddp = await connectSimpleDdp(t.wsUrl);
      try {
        expect(await ddpError(ddp.call('login', { resume: idle }))).toMatchObject({ error: 403, reason: 'Your session has expired. Please log in again.' });
      } finally {
        await ddp.disconnect();
      }
    } finally {
      t.clock.reset();
    }
  });
});
