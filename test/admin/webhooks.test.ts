// Signed webhooks (issue 19, item 5): an operator registers an endpoint for kinds of security events; each event
// is delivered as JSON, signed with HMAC-SHA-256 over `<timestamp>.<body>`, from a PostgreSQL outbox written in
// the event's own statement — retried with backoff when the receiver fails, still there after a restart, and
// carrying the same idempotency id on every attempt (at least once).
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; event: string; userId: string; details: Record<string, unknown> };
}

/** A local receiver: records what arrives; answers 500 to the next `failures` requests. */
class Receiver {
  received: Received[] = [];
  failures = 0;
  private server: Server | undefined;
  port = 0;
  async listen(port = 0) {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (this.failures > 0) {
          this.failures--;
          res.writeHead(500).end('not now');
          return;
        }
        this.received.push({ headers: req.headers, body, json: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}/hooks/twofold`;
  }
  close() {
    return new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
  for(userId: string) {
    return this.received.filter((r) => r.json.userId === userId);
  }
}

let t: TestServer;
let adminSecret: string;
const receivers: Receiver[] = [];
beforeAll(async () => {
  t = await startTestServer();
  adminSecret = (await t.server.core.admin.tokens.create({ name: 'hooks', scopes: ['webhooks:manage'] })).secret;
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await t.close();
});

async function register(url: string, kinds: string[]) {
  const res = await t.request('POST', '/v1/admin/webhooks', { token: adminSecret, body: { url, kinds } });
  expect(res.status).toBe(201);
  return res.body as { endpoint: { id: string }; secret: string };
}

async function signIn() {
  const email = uniqueEmail('hook');
  const created = await t.request('POST', '/v1/users', { body: { email, password: 'webhooks are fun' } });
  expect((await t.request('POST', '/v1/sessions', { body: { login: email, password: 'webhooks are fun' } })).status).toBe(201);
  return created.body.user.id as string;
}

/** Sends what is due until `done` holds (the server's own timer may send it first: either way, once). */
async function deliverUntil(done: () => boolean) {
  for (let i = 0; i < 100 && !done(); i++) {
    await t.server.webhooks.deliverDue();
    if (!done()) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(done()).toBe(true);
}

const deliveries = async (endpointId: string) => (await t.request('GET', `/v1/admin/webhooks/${endpointId}/deliveries`, { token: adminSecret })).body.deliveries;

describe('signed deliveries', () => {
  it('delivers a sign-in as JSON signed with HMAC-SHA-256 over timestamp.body, and shows the last status', async () => {
    const receiver = new Receiver();
    receivers.push(receiver);
    const { endpoint, secret } = await register(await receiver.listen(), ['sign-in']);
    expect(secret).toMatch(/^whsec_/);
    const userId = await signIn();
    await deliverUntil(() => receiver.for(userId).length === 1);
    const [got] = receiver.for(userId);
    expect(got!.json).toMatchObject({ type: 'sign-in', event: 'login_succeeded', userId, id: got!.headers['twofold-webhook-id'] });
    // What a receiver does (docs/operations.md): recompute the signature and compare.
    const timestamp = String(got!.headers['twofold-webhook-timestamp']);
    const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${got!.body}`).digest('hex')}`;
    expect(got!.headers['twofold-webhook-signature']).toBe(expected);
    expect(Math.abs(Number(timestamp) - t.clock.now().getTime() / 1000)).toBeLessThan(60);
    const listed = await t.request('GET', '/v1/admin/webhooks', { token: adminSecret });
    expect(listed.body.endpoints.find((e: { id: string }) => e.id === endpoint.id)).toMatchObject({ lastStatus: 204, lastError: null });
    expect(JSON.stringify(listed.body)).not.toContain(secret);
  });

  it('sends only the kinds the endpoint asked for', async () => {
    const receiver = new Receiver();
    receivers.push(receiver);
    const { endpoint } = await register(await receiver.listen(), ['lockout']);
    await signIn();
    await t.server.webhooks.deliverDue();
    expect(await deliveries(endpoint.id)).toEqual([]);
  });

  it('retries a receiver that fails, with backoff, and delivers the same idempotency id once it recovers', async () => {
    const receiver = new Receiver();
    receivers.push(receiver);
    receiver.failures = 1;
    const { endpoint } = await register(await receiver.listen(), ['sign-in']);
    const userId = await signIn();
    await deliverUntil(() => receiver.failures === 0);
    const [failed] = await deliveries(endpoint.id);
    expect(failed).toMatchObject({ attempts: 1, lastStatus: 500, deliveredAt: null, lastError: 'HTTP 500' });
    // Not before its time: the next attempt waits for the backoff.
    await t.server.webhooks.deliverDue();
    expect(receiver.for(userId)).toHaveLength(0);
    t.clock.advance(11_000);
    await deliverUntil(() => receiver.for(userId).length === 1);
    expect(receiver.for(userId)[0]!.headers['twofold-webhook-id']).toBe(failed.id);
    expect((await deliveries(endpoint.id))[0]).toMatchObject({ id: failed.id, attempts: 2, lastStatus: 204, deliveredAt: expect.any(String) });
  });

  it('keeps a pending delivery across a restart and sends it from the new instance', async () => {
    const receiver = new Receiver();
    receivers.push(receiver);
    const url = await receiver.listen();
    const port = receiver.port;
    await receiver.close(); // the receiver is down
    const { endpoint } = await register(url, ['sign-in']);
    const userId = await signIn();
    await t.server.webhooks.deliverDue();
    expect((await deliveries(endpoint.id))[0]).toMatchObject({ attempts: 1, deliveredAt: null, lastStatus: null });
    // Restart: this instance goes, another starts on the same database.
    await t.close();
    t = await startTestServer();
    await receiver.listen(port);
    t.clock.advance(3_600_000);
    await deliverUntil(() => receiver.for(userId).length === 1);
    expect((await deliveries(endpoint.id))[0]).toMatchObject({ deliveredAt: expect.any(String) });
  });

  it('is managed with the webhooks:manage scope only, and removed endpoints get nothing more', async () => {
    const reader = (await t.server.core.admin.tokens.create({ name: 'reader', scopes: ['users:read'] })).secret;
    expect((await t.request('GET', '/v1/admin/webhooks', { token: reader })).body.error.code).toBe('admin_scope_missing');
    const receiver = new Receiver();
    receivers.push(receiver);
    const { endpoint } = await register(await receiver.listen(), ['sign-in']);
    expect((await t.request('DELETE', `/v1/admin/webhooks/${endpoint.id}`, { token: adminSecret })).status).toBe(204);
    const userId = await signIn();
    await t.server.webhooks.deliverDue();
    expect(receiver.for(userId)).toHaveLength(0);
    expect((await t.request('DELETE', `/v1/admin/webhooks/${endpoint.id}`, { token: adminSecret })).body.error.code).toBe('webhook_not_found');
  });

  it('two instances sending the same outbox at once send each delivery once (FOR UPDATE SKIP LOCKED)', async () => {
    const receiver = new Receiver();
    receivers.push(receiver);
    await register(await receiver.listen(), ['sign-in']);
    const other = await startTestServer();
    // The same time on both instances (each test server has its own clock): both see the deliveries as due.
    other.clock.advance(t.clock.now().getTime() - other.clock.now().getTime());
    try {
      const users = await Promise.all(Array.from({ length: 8 }, () => signIn()));
      await Promise.all([t.server.webhooks.deliverDue(), other.server.webhooks.deliverDue(), t.server.webhooks.deliverDue(), other.server.webhooks.deliverDue()]);
      await deliverUntil(() => users.every((u) => receiver.for(u).length >= 1));
      const ids = users.flatMap((u) => receiver.for(u).map((r) => String(r.headers['twofold-webhook-id'])));
      expect(ids).toHaveLength(users.length);
      expect(new Set(ids).size).toBe(users.length);
    } finally {
      await other.close();
    }
  });
});
