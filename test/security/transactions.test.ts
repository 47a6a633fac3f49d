// Threats 2 (parallel verify mints two sessions), 3 (racy attempt counters) and 6 (transaction misuse),
// security.md and OWASP ASVS 2.8.x: a transaction is consumed atomically before a session exists, its guess
// allowance is taken before each check, and it is bound to one user, one purpose and five minutes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser, startLogin, verify } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('parallel verification of one transaction (threat 2)', () => {
  it('mints exactly one session from a burst of different valid codes', async () => {
    const { email, password, backupCodes } = await enrolledUser(t, 'mint');
    const transactionId = await startLogin(t, email, password);
    const answers = await Promise.all(backupCodes.slice(0, 5).map((code) => verify(t, transactionId, code)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.body.error?.code === 'transaction_used')).toHaveLength(4);
  });
});

describe('racy attempt counters (threat 3)', () => {
  it('give a burst of 40 wrong codes exactly 5 checks', async () => {
    const { email, password } = await enrolledUser(t, 'racy');
    const transactionId = await startLogin(t, email, password);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => verify(t, transactionId, String(200000 + i))));
    expect(answers.filter((a) => a.body.error?.code === 'code_invalid')).toHaveLength(5);
    expect(answers.filter((a) => a.body.error?.code === 'transaction_locked')).toHaveLength(35);
  });
});

describe('transaction misuse (threat 6)', () => {
  it('refuses an expired, a used and an unknown transaction with distinct, documented errors', async () => {
    const { email, password, secret } = await enrolledUser(t, 'misuse');
    const expired = await startLogin(t, email, password);
    const used = await startLogin(t, email, password);
    t.clock.advance(30_000);
    expect((await verify(t, used, authenticatorCode(secret, t.clock))).status).toBe(201);
    t.clock.advance(30_000);
    expect((await verify(t, used, authenticatorCode(secret, t.clock))).body.error.code).toBe('transaction_used');
    t.clock.advance(5 * 60_000);
    expect((await verify(t, expired, authenticatorCode(secret, t.clock))).body.error.code).toBe('transaction_expired');
    expect((await verify(t, 'A'.repeat(32), '123456')).body.error.code).toBe('transaction_not_found');
    t.clock.reset();
  });

  it("binds a transaction to its user: another user's code does not complete it", async () => {
    const alice = await enrolledUser(t, 'alice');
    const mallory = await enrolledUser(t, 'mallory');
    const alicesLogin = await startLogin(t, alice.email, alice.password);
    t.clock.advance(30_000);
    const res = await verify(t, alicesLogin, authenticatorCode(mallory.secret, t.clock));
    expect(res.body.error.code).toBe('code_invalid');
    expect((await verify(t, alicesLogin, mallory.backupCodes[0])).body.error.code).toBe('code_invalid');
    t.clock.reset();
  });

  it('keeps purposes apart: a login transaction cannot confirm an enrolment, nor an enrolment take a backup code', async () => {
    const { email, password, token, backupCodes } = await enrolledUser(t, 'purpose');
    const pending = await t.request('POST', '/v1/me/totp', { token });
    const login = await startLogin(t, email, password);
    t.clock.advance(30_000);
    expect((await verify(t, login, authenticatorCode(pending.body.secret, t.clock))).body.error.code).toBe('code_invalid');
    // A backup code cannot be the new authenticator's first code: refused as malformed, before anything is spent.
    expect((await verify(t, pending.body.transactionId, backupCodes[0])).body.error.code).toBe('code_malformed');
    t.clock.reset();
  });
});
