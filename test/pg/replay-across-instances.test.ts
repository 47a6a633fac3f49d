// Threat 1 (replay), RFC 6238 5.2 and OWASP ASVS 2.8.4: a TOTP code is accepted once, even when the
// same code reaches two server processes on one PostgreSQL database at the same moment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { decodeBase32 } from '../../src/core/otp/base32.ts';
import { generateTOTP } from '../../src/core/otp/totp.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { TEST_KEYS } from '../helpers/server.ts';

let servers: ServerProcess[] = [];
beforeAll(async () => {
  const env = { DATABASE_URL: inject('databaseUrl')!, TWOFOLD_SECRET_KEYS: TEST_KEYS };
  servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function post(server: ServerProcess, path: string, body: unknown) {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

// Eight attempts: fewer than the account throttle's 10 failures, whose lockout would (rightly) end every pending
// login, the right one included, and so hide what this test is about.
describe('one TOTP code, two instances, eight parallel attempts', () => {
  it('is accepted exactly once', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const email = `replay.${Date.now()}@example.test`;
    const password = 'replay me if you can';
    const registered = await post(a, '/v1/users', { email, password, totp: true });
    const key = decodeBase32(registered.body.totp.secret);
    const now = Date.now();
    const confirmed = await post(b, '/v1/sessions/second-factor', { transactionId: registered.body.totp.transactionId, code: generateTOTP(key, now) });
    expect(confirmed.status).toBe(201);

    // Eight pending logins, spread over both instances; then the next step's code, sent to all at once.
    const logins = await Promise.all(Array.from({ length: 8 }, (_, i) => post(i % 2 ? a : b, '/v1/sessions', { login: email, password })));
    const code = generateTOTP(key, now + 30_000);
    const answers = await Promise.all(
      logins.map((login, i) => post(i % 2 ? b : a, '/v1/sessions/second-factor', { transactionId: login.body.transactionId, code })),
    );
    const summary = answers.map((r) => `${r.status} ${r.body.error?.code ?? ''}`);
    expect(answers.filter((r) => r.status === 201), summary.join(', ')).toHaveLength(1);
    // The rest are refused as replays.
    expect(answers.filter((r) => r.body.error?.code === 'code_invalid'), summary.join(', ')).toHaveLength(7);
  });
});
