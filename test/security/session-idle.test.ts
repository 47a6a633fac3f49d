// Session lifetime, OWASP ASVS 3.3.2: a session unused for SESSION_IDLE_SECONDS (default 7 days) ends on every wire,
// whatever its absolute lifetime (30 days); a session in use stays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { connectSimpleDdp, ddpError } from '../helpers/ddp-clients.ts';
import { testDb } from '../helpers/db.ts';
import { hashToken } from '../../src/core/crypto/hash.ts';

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

describe("a session's last use", () => {
  const lastSeen = async (token: string) =>
    ((await (await testDb()).query<{ last_seen_at: Date }>('SELECT last_seen_at FROM sessions WHERE token_hash = $1', [hashToken(token)]))[0]!).last_seen_at;
  // This instance's own address: behind PgBouncer the helper alternates between two instances.
  const me = (server: TestServer, token: string) => fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });

  it('is not written by the request that used the session but by the next batch, for every instance to see', async () => {
    const token = await signedIn();
    const before = await lastSeen(token);
    try {
      t.clock.advance(2 * 24 * 3600_000);
      const used = t.clock.now().getTime();
      expect((await me(t, token)).status).toBe(200);
      expect(await lastSeen(token)).toEqual(before);
      expect(await t.server.core.sessions.flushLastSeen()).toBeGreaterThanOrEqual(1);
      // The test clock runs on from where it was moved: the use is written at its own moment.
      expect((await lastSeen(token)).getTime()).toBeGreaterThanOrEqual(used);
      expect((await lastSeen(token)).getTime()).toBeLessThanOrEqual(t.clock.now().getTime());
    } finally {
      t.clock.reset();
    }
  });

  it('is written when the server stops, so no use is lost with a restart', async () => {
    const other = await startTestServer();
    const token = await signedIn();
    let closed = false;
    try {
      other.clock.advance(3 * 24 * 3600_000);
      const used = other.clock.now().getTime();
      expect((await me(other, token)).status).toBe(200);
      const answered = other.clock.now().getTime();
      await other.close();
      closed = true;
      expect((await lastSeen(token)).getTime()).toBeGreaterThanOrEqual(used);
      expect((await lastSeen(token)).getTime()).toBeLessThanOrEqual(answered);
    } finally {
      if (!closed) await other.close();
    }
  });
});
