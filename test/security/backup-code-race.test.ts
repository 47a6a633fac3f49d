// Threats 2 and 14 for backup codes, security.md and OWASP ASVS 2.6.1: one valid backup code sent in a parallel burst,
// each copy on its own sign-in transaction and spread over two server instances, yields exactly one session; the
// code is spent once; the repeats are answered as replays and do not count toward the lockout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser, startLogin } from '../helpers/accounts.ts';

let a: TestServer;
let b: TestServer;
beforeAll(async () => {
  [a, b] = await Promise.all([startTestServer(), startTestServer()]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

describe('one backup code, fifty transactions, two instances (threats 2, 14)', () => {
  it('yields exactly one session and counts no failure', async () => {
    const { email, password, backupCodes, userId } = await enrolledUser(a, 'race');
    const transactions = await Promise.all(Array.from({ length: 50 }, (_, i) => startLogin(i % 2 ? b : a, email, password)));
    const code = backupCodes[3]!;
    const answers = await Promise.all(
      transactions.map((transactionId, i) => (i % 2 ? a : b).request('POST', '/v1/sessions/second-factor', { body: { transactionId, code } })),
    );
    const summary = answers.map((r) => `${r.status} ${r.body.error?.code ?? ''}`).join(', ');
    expect(answers.filter((r) => r.status === 201), summary).toHaveLength(1);
    expect(answers.filter((r) => r.body.error?.code === 'code_invalid'), summary).toHaveLength(49);
    const [row] = await a.server.db.query<{ used: number; failures: number }>(
      `SELECT (SELECT count(*)::int FROM backup_codes WHERE user_id = $1 AND used_at IS NOT NULL) AS used,
              (SELECT factor_failures FROM users WHERE id = $1) AS failures`,
      [userId],
    );
    expect(row).toEqual({ used: 1, failures: 0 });
    // Not locked: the owner signs in with the next code at once.
    const next = await a.request('POST', '/v1/sessions/second-factor', { body: { transactionId: await startLogin(a, email, password), code: backupCodes[4] } });
    expect(next.status).toBe(201);
  });
});
