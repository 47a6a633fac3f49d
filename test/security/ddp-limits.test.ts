// DDP flood limits (security.md "Defaults": per-IP and per-route rate limits in front of everything; OWASP
// ASVS 4.0.3 V2.2.1 and V11.1.4): one client address may hold only so many open DDP connections on an
// instance (`DDP_CONNECTIONS_PER_IP`, 100 by default; past it the upgrade is answered 429), and one connection
// may call one method only so often (the `ddpMethod` rule, Rocket.Chat's "connection by method" limit: 20
// calls per 10 s by default, `RATE_LIMIT_DDP_METHOD`). Without them one client could hold thousands of sockets
// or loop a method as fast as the server answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.ts';
import { defaultRateLimitPolicy } from '../../src/core/limits/rate-limit.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectSimpleDdp, ddpError, type SimpleDdpClient } from '../helpers/ddp-clients.ts';

const CAP = 3;
let t: TestServer;
const swallow = () => undefined;
beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  t = await startTestServer({ RATE_LIMITS: 'true', TRUST_PROXY: '1', DDP_CONNECTIONS_PER_IP: String(CAP) });
});
afterAll(async () => {
  await t.close();
  process.off('unhandledRejection', swallow);
});

/** The HTTP status the upgrade got: 101 when the WebSocket opened (it is closed again at once). */
function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(t.wsUrl, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

describe('DDP connections per client address', () => {
  it('defaults to 100 per address and instance', () => {
    expect(loadConfig({}).ddpConnectionsPerIp).toBe(100);
  });

  it(`refuses a connection past the cap with 429, per address, and accepts again once one closes`, async () => {
    const office = { 'x-forwarded-for': '198.51.100.20' };
    const open: SimpleDdpClient[] = [];
    try {
      for (let i = 0; i < CAP; i++) open.push(await connectSimpleDdp(t.wsUrl, office));
      expect(await upgradeStatus(office)).toBe(429);
      // Another address has its own allowance.
      expect(await upgradeStatus({ 'x-forwarded-for': '198.51.100.21' })).toBe(101);

      // The server learns of the close a moment after the client: ask until it has.
      await open.pop()!.disconnect();
      await expect.poll(() => upgradeStatus(office), { timeout: 5000 }).toBe(101);
    } finally {
      await Promise.all(open.map((client) => client.disconnect()));
    }
  });
});

describe('DDP calls per connection and method', () => {
  const { limit, windowSeconds } = defaultRateLimitPolicy.rules.ddpMethod;

  it(`allows ${limit} calls of one method per ${windowSeconds} s on a connection, then answers too-many-requests`, async () => {
    const ddp = await connectSimpleDdp(t.wsUrl, { 'x-forwarded-for': '198.51.100.30' });
    const fresh = await connectSimpleDdp(t.wsUrl, { 'x-forwarded-for': '198.51.100.30' });
    try {
      for (let i = 0; i < limit; i++) expect(await ddp.call('logout')).toBeUndefined();
      const refused = await ddpError(ddp.call('logout'));
      expect(refused).toMatchObject({ error: 'too-many-requests', details: { timeToReset: expect.any(Number) } });
      expect(refused.details.timeToReset).toBeLessThanOrEqual(windowSeconds * 1000);

      // Other methods on the same connection, and the same method on another connection, are not affected.
      expect(await ddpError(ddp.call('2fa:checkCodesRemaining'))).toMatchObject({ error: 'not-authorized' });
      expect(await fresh.call('logout')).toBeUndefined();

      // The window passes (time travel, no sleeping).
      t.clock.advance(windowSeconds * 1000);
      expect(await ddp.call('logout')).toBeUndefined();
    } finally {
      t.clock.reset();
      await Promise.all([ddp.disconnect(), fresh.disconnect()]);
    }
  });
});
