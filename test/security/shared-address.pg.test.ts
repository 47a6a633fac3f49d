// Per-IP limits and a shared address (security.md "Defaults": per-IP and per-route rate limits; OWASP ASVS
// 4.0.3 V2.2.1): an office behind one NAT address, or an app calling the Backendless SDK from its own server,
// signs many people in from one IP. Sign-in and code checks therefore count failures only (wrong password,
// unknown user, wrong code, malformed input), so successes never use up the address's allowance, while
// failures are counted exactly, across instances and in parallel bursts, and every limit is configurable.
// Two instances share one PostgreSQL, as behind a load balancer.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { defaultRateLimitPolicy } from '../../src/core/limits/rate-limit.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectSimpleDdp, ddpError } from '../helpers/ddp-clients.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { enrolledUser } from '../helpers/accounts.ts';

/** The office's address as the proxy in front of both instances saw it; fresh per test, so counters start at 0. */
const officeAddress = () => `2001:db8:${randomBytes(2).toString('hex')}::${randomBytes(2).toString('hex')}`;
const from = (address: string) => ({ 'x-forwarded-for': address });

const PASSWORD = 'shared address';
const { login, verify } = defaultRateLimitPolicy.rules;

let a: TestServer;
let b: TestServer;
const swallow = () => undefined;
beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  const env = { RATE_LIMITS: 'true', TRUST_PROXY: '1' };
  [a, b] = await Promise.all([startTestServer(env), startTestServer(env)]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  process.off('unhandledRejection', swallow);
});
/** Both instances keep one time (`enrolledUser` moves a clock), or they would see different windows. */
function sameTime() {
  a.clock.reset();
  b.clock.reset();
}
afterEach(sameTime);

const restLogin = (t: TestServer, office: string, login: string, password: string) =>
  t.request('POST', '/v1/sessions', { body: { login, password }, headers: from(office) });

function backendlessLogin(t: TestServer, office: string, login: string, password: string) {
  const { appId, apiKey } = t.server.backendless;
  return fetch(`${t.url}/${appId}/${apiKey}/users/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...from(office) },
    body: JSON.stringify({ login, password }),
  });
}

describe('one address, many people: per-IP limits count failures', () => {
  it('lets an office sign in far more often than the limit, over REST, the Backendless SDK and DDP, on both instances', async () => {
    const office = officeAddress();
    const colleagues = [];
    for (let i = 0; i < 3; i++) {
      const email = uniqueEmail('office');
      expect((await a.request('POST', '/v1/users', { body: { email, password: PASSWORD }, headers: from(office) })).status).toBe(201);
      colleagues.push(email);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 2 * login.limit; i++) {
      const [t, email] = [i % 2 === 0 ? a : b, colleagues[i % colleagues.length]!];
      statuses.push(i % 3 === 0 ? (await backendlessLogin(t, office, email, PASSWORD)).status : (await restLogin(t, office, email, PASSWORD)).status);
    }
    expect(statuses.filter((status) => status === 429)).toEqual([]);
    expect(statuses.every((status) => status === 200 || status === 201)).toBe(true);

    // Over DDP, each person on a connection of their own, as a browser tab would be.
    for (let i = 0; i < login.limit; i++) {
      const ddp = await connectSimpleDdp((i % 2 === 0 ? a : b).wsUrl, from(office));
      try {
        await ddp.login({ user: { email: colleagues[i % colleagues.length] }, password: PASSWORD });
      } finally {
        await ddp.disconnect();
      }
    }
    // The allowance for mistakes is untouched: a wrong password is still only a wrong password.
    const wrong = await restLogin(a, office, colleagues[0]!, 'typo');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('x-ratelimit-remaining')).toBe(String(login.limit - 1));
  });

  it('does not count a second-factor challenge: a right password is not a failure', async () => {
    const office = officeAddress();
    const user = await enrolledUser(a, 'officetotp');
    sameTime();
    for (let i = 0; i < login.limit + 5; i++) expect((await restLogin(i % 2 ? a : b, office, user.email, user.password)).status).toBe(202);
    // DDP answers the challenge as Meteor's `totp-required` error: not a failure either.
    const connections = await Promise.all([a, b].map((t) => connectSimpleDdp(t.wsUrl, from(office))));
    try {
      for (let i = 0; i < login.limit + 5; i++) {
        const challenged = await ddpError(connections[i % 2]!.login({ user: { email: user.email }, password: user.password }));
        expect(challenged).toMatchObject({ error: 'totp-required' });
      }
    } finally {
      await Promise.all(connections.map((ddp) => ddp.disconnect()));
    }
  });

  it('counts failures exactly on both instances, even in a parallel burst, and then refuses successes too', async () => {
    const office = officeAddress();
    const email = uniqueEmail('burst');
    expect((await a.request('POST', '/v1/users', { body: { email, password: PASSWORD }, headers: from(office) })).status).toBe(201);
    const burst = await Promise.all(Array.from({ length: 2 * login.limit }, (_, i) => restLogin(i % 2 ? a : b, office, email, `wrong ${i}`)));
    expect(burst.filter((r) => r.status === 401)).toHaveLength(login.limit);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(login.limit);
    // Until the window ends, the address waits, whoever asks.
    expect((await restLogin(b, office, email, PASSWORD)).status).toBe(429);
    expect((await backendlessLogin(a, office, email, PASSWORD)).status).toBe(429);
  });

  it('counts wrong codes (the verify rule) and gives successful code checks back', async () => {
    const office = officeAddress();
    const user = await enrolledUser(a, 'officecodes');
    sameTime();
    const start = async () => (await restLogin(a, office, user.email, user.password)).body.transactionId as string;
    const check = (t: TestServer, transactionId: string, code: string) =>
      t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, code }, headers: from(office) });

    const wrong = await check(b, await start(), '000000');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('x-ratelimit-remaining')).toBe(String(verify.limit - 1));
    // Backup codes are single use: each success is a different one; none of them is counted.
    for (const code of user.backupCodes.slice(0, 3)) expect((await check(a, await start(), code)).status).toBe(201);
    const again = await check(b, await start(), '000000');
    expect(again.headers.get('x-ratelimit-remaining')).toBe(String(verify.limit - 2));
  });
});

describe('every limit is configurable: RATE_LIMIT_<RULE>=N/SECONDS', () => {
  it('reads each rule from the environment and refuses a malformed one', () => {
    const config = loadConfig({ RATE_LIMIT_LOGIN: '5/30', RATE_LIMIT_SEND_EMAIL_CODE_TARGET: '3/3600', RATE_LIMIT_DDP_METHOD: '50/10' });
    expect(config.rateLimits.rules.login).toEqual({ limit: 5, windowSeconds: 30, counts: 'failures' });
    expect(config.rateLimits.rules.sendEmailCodeTarget).toMatchObject({ limit: 3, windowSeconds: 3600 });
    expect(config.rateLimits.rules.ddpMethod).toMatchObject({ limit: 50, windowSeconds: 10 });
    expect(config.rateLimits.rules.verify).toEqual(verify);
    expect(() => loadConfig({ RATE_LIMIT_VERIFY: '30 per minute' })).toThrow(ConfigError);
    expect(() => loadConfig({ RATE_LIMIT_REGISTER: '0/60' })).toThrow(/RATE_LIMIT_REGISTER must be N\/SECONDS/);
  });

  it('applies a configured limit and window on every instance', async () => {
    const env = { RATE_LIMITS: 'true', TRUST_PROXY: '1', RATE_LIMIT_LOGIN: '3/30' };
    const [c, d] = await Promise.all([startTestServer(env), startTestServer(env)]);
    try {
      const office = officeAddress();
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await restLogin(i % 2 ? c : d, office, uniqueEmail('nobody'), 'wrong'));
      expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 429]);
      expect(answers[3]!.body.error.details).toMatchObject({ rule: 'login', limit: 3 });
      expect(Number(answers[3]!.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    } finally {
      await Promise.all([c.close(), d.close()]);
    }
  });
});
