// Resilience (security.md, issue "every multi-step change is one transaction"): a server process killed with
// SIGKILL in the middle of enrolments and verifications leaves the database consistent — an authenticator is
// active together with its full set of backup codes or not at all — and the next process carries on.
import { afterAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { decodeBase32 } from '../../src/core/otp/base32.ts';
import { generateTOTP } from '../../src/core/otp/totp.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { TEST_KEYS } from '../helpers/server.ts';

const env = () => ({ DATABASE_URL: inject('databaseUrl')!, TWOFOLD_SECRET_KEYS: TEST_KEYS });
let survivor: ServerProcess | undefined;
afterAll(async () => {
  await survivor?.stop();
});

async function post(url: string, path: string, body: unknown) {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
}

describe('SIGKILL during enrolment and verification', () => {
  it('leaves no half-applied state, and a new process serves on', async () => {
    const victim = await startServerProcess(env());
    const stamp = Date.now();
    const users = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const email = `crash.${stamp}.${i}@example.test`;
        const reg = await post(victim.url, '/v1/users', { email, password: 'crash consistency', totp: true });
        return { email, secret: reg.body.totp.secret as string, transactionId: reg.body.totp.transactionId as string };
      }),
    );
    // Confirm them all at once and kill the process while the confirmations are in flight.
    const inflight = users.map((u) =>
      post(victim.url, '/v1/sessions/second-factor', { transactionId: u.transactionId, code: generateTOTP(decodeBase32(u.secret), Date.now()) }).catch(() => null),
    );
    await new Promise((r) => setTimeout(r, 15));
    victim.child.kill('SIGKILL');
    await Promise.all(inflight);

    const db = new pg.Client({ connectionString: inject('databaseUrl')! });
    await db.connect();
    try {
      const { rows } = await db.query(
        `SELECT u.email_normalized AS email,
                (SELECT count(*)::int FROM totp_credentials c WHERE c.user_id = u.id AND c.state = 'active') AS active,
                (SELECT count(*)::int FROM backup_codes b WHERE b.user_id = u.id) AS codes
         FROM users u WHERE u.email_normalized LIKE $1`,
        [`crash.${stamp}.%`],
      );
      expect(rows).toHaveLength(12);
      for (const row of rows) {
        expect([0, 1]).toContain(row.active);
        expect(row.codes).toBe(row.active === 1 ? 12 : 0);
      }

      // A fresh process serves every user: confirmed ones sign in with a code, the others can still confirm.
      survivor = await startServerProcess(env());
      for (const user of users) {
        const confirmed = rows.find((r) => r.email === user.email)!.active === 1;
        const code = generateTOTP(decodeBase32(user.secret), Date.now() + 30_000);
        if (confirmed) {
          const login = await post(survivor.url, '/v1/sessions', { login: user.email, password: 'crash consistency' });
          expect(login.status).toBe(202);
          expect((await post(survivor.url, '/v1/sessions/second-factor', { transactionId: login.body.transactionId, code })).status).toBe(201);
        } else {
          expect((await post(survivor.url, '/v1/sessions/second-factor', { transactionId: user.transactionId, code })).status).toBe(201);
        }
      }
    } finally {
      await db.end();
    }
  });
});
