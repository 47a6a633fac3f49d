// Threat 17 (client address), OWASP ASVS 4.0.3 V2.2.1 and security.md: a client must not choose its own IP.
// `X-Forwarded-For` is believed only from the proxies the operator names (a hop count or their addresses),
// read from the right, and REST, the Backendless façade and DDP all derive the client address that one way.
// Otherwise `X-Forwarded-For: <random>, <real>` walks past every per-IP limit and the IP binding of the
// remember-for grace. Two instances share one PostgreSQL, as behind a load balancer.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { defaultRateLimitPolicy } from '../../src/core/limits/rate-limit.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectSimpleDdp, ddpError, type SimpleDdpClient } from '../helpers/ddp-clients.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { runCli } from '../helpers/process.ts';
import { enrolledUser } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';

/** An address from the IPv6 documentation range, fresh for each use: counters never carry over between tests. */
const someAddress = () => `2001:db8:${randomBytes(2).toString('hex')}::${randomBytes(2).toString('hex')}`;
/** What a proxy forwards: whatever the client wrote, then the address the proxy saw. */
const forwarded = (client: string, written = `${someAddress()}, 127.0.0.1`) => ({ 'x-forwarded-for': `${written}, ${client}` });

const PASSWORD = 'behind the proxy';
const { login } = defaultRateLimitPolicy.rules;

/** Two instances behind one proxy (`TRUST_PROXY=1`), limits on. */
let a: TestServer;
let b: TestServer;
const swallow = () => undefined;
beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  [a, b] = await Promise.all([startTestServer({ RATE_LIMITS: 'true', TRUST_PROXY: '1' }), startTestServer({ RATE_LIMITS: 'true', TRUST_PROXY: '1' })]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  process.off('unhandledRejection', swallow);
});

async function registered(t: TestServer, headers: Record<string, string>): Promise<string> {
  const email = uniqueEmail('proxy');
  expect((await t.request('POST', '/v1/users', { body: { email, password: PASSWORD }, headers })).status).toBe(201);
  return email;
}

function backendlessLogin(t: TestServer, body: unknown, headers: Record<string, string>) {
  const { appId, apiKey } = t.server.backendless;
  return fetch(`${t.url}/${appId}/${apiKey}/users/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

async function sessionIps(t: TestServer, token: string): Promise<Record<string, string>> {
  const sessions = (await t.request('GET', '/v1/me/sessions', { token })).body.sessions as Array<{ client: string; ip: string }>;
  return Object.fromEntries(sessions.map((s) => [s.client, s.ip]));
}

describe('threat 17: TRUST_PROXY', () => {
  it('refuses `true` at start-up and says what to write instead', async () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=loopback.*TRUST_PROXY=1/s);
    expect(() => loadConfig({ TRUST_PROXY: 'not-an-address' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);

    const serve = await runCli(['serve'], { TRUST_PROXY: 'true', DATABASE_URL: 'memory://', NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0' });
    expect(serve.code).not.toBe(0);
    expect(serve.stderr + serve.stdout).toMatch(/TRUST_PROXY=true would let any client choose its IP address/);
  });
});

describe('threat 17: one client address, whatever the client writes in X-Forwarded-For', () => {
  it('counts failed sign-ins of one address together on both instances and every wire', async () => {
    const client = someAddress();
    const email = await registered(a, forwarded(client));
    const ddp: SimpleDdpClient[] = [];
    // Every request and every DDP connection carries a different made-up left part.
    for (const t of [a, b]) ddp.push(await connectSimpleDdp(t.wsUrl, forwarded(client)));
    try {
      const wires = [
        async (t: TestServer) => (await t.request('POST', '/v1/sessions', { body: { login: email, password: 'wrong' }, headers: forwarded(client) })).status,
        async (t: TestServer) => (await backendlessLogin(t, { login: email, password: 'wrong' }, forwarded(client))).status,
        async (t: TestServer) => (await ddpError(ddp[t === a ? 0 : 1]!.login({ user: { email }, password: 'wrong' }))).error,
      ];
      const answers: Array<number | string> = [];
      for (let i = 0; i < login.limit; i++) answers.push(await wires[i % 3]!(i % 2 === 0 ? a : b));
      expect(answers.filter((answer) => answer === 401 || answer === 403)).toHaveLength(login.limit);

      // The address has used its failures: refused on each wire, on each instance.
      for (const t of [a, b]) expect(await Promise.all(wires.map((wire) => wire(t)))).toEqual([429, 429, 'too-many-requests']);
    } finally {
      await Promise.all(ddp.map((client) => client.disconnect()));
    }
  });

  it('records the same address for sessions made through REST, Backendless and DDP', async () => {
    const client = someAddress();
    const email = await registered(b, forwarded(client));
    const rest = await a.request('POST', '/v1/sessions', { body: { login: email, password: PASSWORD }, headers: forwarded(client) });
    expect(rest.status).toBe(201);
    expect((await backendlessLogin(b, { login: email, password: PASSWORD }, forwarded(client))).status).toBe(200);
    const ddp = await connectSimpleDdp(b.wsUrl, forwarded(client));
    try {
      await ddp.login({ user: { email }, password: PASSWORD });
    } finally {
      await ddp.disconnect();
    }
    expect(await sessionIps(a, rest.body.token)).toEqual({ rest: client, backendless: client, ddp: client });
  });

  it('keeps the remember-for grace bound to the address that earned it', async () => {
    const home = someAddress();
    const elsewhere = someAddress();
    const user = await enrolledUser(a, 'proxygrace');
    const agent = { 'user-agent': 'proxy-grace' };
    a.clock.advance(30_000);
    const started = await a.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password }, headers: forwarded(home) });
    const signedIn = await a.request('POST', '/v1/sessions/second-factor', {
      body: { transactionId: started.body.transactionId, code: authenticatorCode(user.secret, a.clock) },
      headers: { ...agent, ...forwarded(home) },
    });
    expect(signedIn.status).toBe(201);
    const stepUp = (headers: Record<string, string>) =>
      b.request('POST', '/v1/me/step-up', { token: signedIn.body.token, body: { operation: 'pay' }, headers: { ...agent, ...headers } });

    expect((await stepUp(forwarded(home))).status).toBe(200);
    // A stolen token used from elsewhere, claiming the home address at the left of the header: challenged.
    expect((await stepUp(forwarded(elsewhere, home))).status).toBe(401);
  });
});

describe('threat 17: proxies named by address', () => {
  let loopback: TestServer;
  let remote: TestServer;
  beforeAll(async () => {
    [loopback, remote] = await Promise.all([startTestServer({ TRUST_PROXY: 'loopback' }), startTestServer({ TRUST_PROXY: '192.0.2.0/24' })]);
  });
  afterAll(async () => {
    await Promise.all([loopback.close(), remote.close()]);
  });

  async function ipsAfterSignIns(t: TestServer, headers: Record<string, string>) {
    const email = await registered(t, headers);
    const rest = await t.request('POST', '/v1/sessions', { body: { login: email, password: PASSWORD }, headers });
    const ddp = await connectSimpleDdp(t.wsUrl, headers);
    try {
      await ddp.login({ user: { email }, password: PASSWORD });
    } finally {
      await ddp.disconnect();
    }
    return sessionIps(t, rest.body.token);
  }

  it('believes a trusted proxy (here, one on this host) about the hop before it, and no further', async () => {
    const client = someAddress();
    expect(await ipsAfterSignIns(loopback, forwarded(client))).toEqual({ rest: client, ddp: client });
    // Proxies on loopback in a row are all trusted; the first address that is not one is the client.
    expect(await ipsAfterSignIns(loopback, { 'x-forwarded-for': `${someAddress()}, ${client}, 127.0.0.1` })).toEqual({ rest: client, ddp: client });
  });

  it('ignores X-Forwarded-For from a peer that is not a named proxy', async () => {
    expect(await ipsAfterSignIns(remote, forwarded(someAddress()))).toEqual({ rest: '127.0.0.1', ddp: '127.0.0.1' });
  });
});
