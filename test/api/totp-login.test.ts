// The native API's TOTP flow (the REST twin of the Backendless seed), and the transaction rules of
// shared/spec/security.md: threats 2 (parallel verify mints two sessions), 3 (racy attempt counter),
// 5 (bypass) and 6 (transaction misuse).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const nextStep = () => t.clock.advance(30_000);

/** Registers with an authenticator and confirms it: returns what the user keeps. */
async function enrolledUser() {
  const email = uniqueEmail('totp');
  const password = 'correct horse battery';
  const reg = await t.request('POST', '/v1/users', { body: { email, password, totp: true } });
  expect(reg.status).toBe(201);
  const { secret, transactionId } = reg.body.totp;
  nextStep();
  const confirmed = await t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, code: authenticatorCode(secret, t.clock) } });
  expect(confirmed.status).toBe(201);
  return { email, password, secret, backupCodes: confirmed.body.backupCodes as string[], token: confirmed.body.token as string };
}

async function startLogin(email: string, password: string): Promise<string> {
  const res = await t.request('POST', '/v1/sessions', { body: { login: email, password } });
  expect(res.status).toBe(202);
  expect(res.body).not.toHaveProperty('token');
  return res.body.transactionId;
}

const verify = (transactionId: string, code: unknown) => t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, code } });

describe('signing in with an authenticator', () => {
  it('asks for the second factor, then issues the session', async () => {
    const { email, password, secret } = await enrolledUser();
    const login = await t.request('POST', '/v1/sessions', { body: { login: email, password } });
    expect(login.status).toBe(202);
    expect(login.body).toMatchObject({ secondFactorRequired: true, methods: ['totp', 'backup_code'] });
    nextStep();
    const done = await verify(login.body.transactionId, authenticatorCode(secret, t.clock));
    expect(done.status).toBe(201);
    expect((await t.request('GET', '/v1/me', { token: done.body.token })).status).toBe(200);
  });

  it('accepts codes typed with spaces, and each backup code once', async () => {
    const { email, password, secret, backupCodes } = await enrolledUser();
    nextStep();
    const code = authenticatorCode(secret, t.clock);
    expect((await verify(await startLogin(email, password), `${code.slice(0, 3)} ${code.slice(3)}`)).status).toBe(201);
    expect((await verify(await startLogin(email, password), backupCodes[0]!.toLowerCase())).status).toBe(201);
    const reused = await verify(await startLogin(email, password), backupCodes[0]);
    expect(reused.body.error.code).toBe('code_invalid');
    const status = await t.request('GET', '/v1/me/totp', { token: (await verify(await startLogin(email, password), backupCodes[1])).body.token });
    expect(status.body).toEqual({ enabled: true, pending: false, backupCodesRemaining: 10 });
  });

  it('rejects a code already used in its time step (replay)', async () => {
    const { email, password, secret } = await enrolledUser();
    nextStep();
    const code = authenticatorCode(secret, t.clock);
    expect((await verify(await startLogin(email, password), code)).status).toBe(201);
    const replay = await verify(await startLogin(email, password), code);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toMatchObject({ code: 'code_invalid', details: { attemptsLeft: 4 } });
  });

  it.each([
    ['letters', 'abcdef', 'code_malformed'],
    ['too short', '12345', 'code_malformed'],
    ['too long', '1234567', 'code_malformed'],
    ['empty', '', 'code_required'],
    ['wrong type', { code: 1 }, 'validation_failed'],
  ])('answers a code with %s by %s', async (_label, code, expected) => {
    const { email, password } = await enrolledUser();
    const res = await verify(await startLogin(email, password), code);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(expected);
  });
});

describe('transactions', () => {
  it('die after 5 wrong codes, even for the right code', async () => {
    const { email, password, secret } = await enrolledUser();
    const transactionId = await startLogin(email, password);
    for (let i = 4; i >= 0; i--) {
      expect((await verify(transactionId, '000000')).body.error.details.attemptsLeft).toBe(i);
    }
    nextStep();
    const right = await verify(transactionId, authenticatorCode(secret, t.clock));
    expect(right.status).toBe(403);
    expect(right.body.error.code).toBe('transaction_locked');
  });

  it('give a parallel burst of wrong codes no more than 5 guesses', async () => {
    const { email, password } = await enrolledUser();
    const transactionId = await startLogin(email, password);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => verify(transactionId, String(100000 + i))));
    expect(answers.filter((r) => r.body.error.code === 'code_invalid')).toHaveLength(5);
    expect(answers.filter((r) => r.body.error.code === 'transaction_locked')).toHaveLength(25);
  });

  it('yield exactly one session when verified by a parallel burst of valid codes', async () => {
    const { email, password, backupCodes } = await enrolledUser();
    const transactionId = await startLogin(email, password);
    const answers = await Promise.all(backupCodes.slice(0, 5).map((code) => verify(transactionId, code)));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
  });

  it('expire after 5 minutes', async () => {
    const { email, password, secret } = await enrolledUser();
    const transactionId = await startLogin(email, password);
    t.clock.advance(5 * 60_000 + 1);
    const res = await verify(transactionId, authenticatorCode(secret, t.clock));
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('transaction_expired');
  });

  it('are refused when unknown, and a login transaction cannot confirm an enrolment', async () => {
    expect((await verify('not-a-transaction', '123456')).body.error.code).toBe('transaction_not_found');
    // A pending authenticator is confirmed only through its own enrolment transaction.
    const { email, password, token } = await enrolledUser();
    const pending = await t.request('POST', '/v1/me/totp', { token });
    const login = await startLogin(email, password);
    nextStep();
    const withNewCode = await verify(login, authenticatorCode(pending.body.secret, t.clock));
    expect(withNewCode.body.error.code).toBe('code_invalid');
  });

  it('leave no session behind while a second factor is pending (no bypass)', async () => {
    const { email, password } = await enrolledUser();
    const db = await testDb();
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email_normalized = $1', [email]);
    await startLogin(email, password);
    await startLogin(email, password);
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email_normalized = $1', [email]);
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});

describe('managing the authenticator', () => {
  it('keeps the active authenticator until a new one is confirmed', async () => {
    const { email, password, secret, token } = await enrolledUser();
    const fresh = await t.request('POST', '/v1/me/totp', { token });
    expect(fresh.status).toBe(201);
    nextStep();
    // The old authenticator still signs in while the new one is pending.
    expect((await verify(await startLogin(email, password), authenticatorCode(secret, t.clock))).status).toBe(201);
    nextStep();
    const confirmed = await t.request('POST', '/v1/me/totp/confirm', { token, body: { code: authenticatorCode(fresh.body.secret, t.clock) } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.backupCodes).toHaveLength(12);
    nextStep();
    expect((await verify(await startLogin(email, password), authenticatorCode(secret, t.clock))).body.error.code).toBe('code_invalid');
    expect(t.notices.last('factor-enabled', email)).toBeTruthy();
  });

  it('regenerates backup codes and disables with a proof (a code, or one within the step-up window)', async () => {
    const { email, password, secret, backupCodes, token } = await enrolledUser();
    // The registration's code is past the step-up window: these changes need a proof now.
    t.clock.advance(601_000);
    expect((await t.request('POST', '/v1/me/backup-codes', { token, body: {} })).body.error.code).toBe('second_factor_required');
    expect((await t.request('POST', '/v1/me/backup-codes', { token, body: { code: '000000' } })).body.error.code).toBe('second_factor_invalid');
    nextStep();
    const regenerated = await t.request('POST', '/v1/me/backup-codes', { token, body: { code: authenticatorCode(secret, t.clock) } });
    expect(regenerated.body.backupCodes).toHaveLength(12);
    expect((await verify(await startLogin(email, password), backupCodes[1])).body.error.code).toBe('code_invalid');

    t.clock.advance(601_000);
    expect((await t.request('POST', '/v1/me/totp/disable', { token, body: { code: '000000' } })).body.error.code).toBe('second_factor_invalid');
    // A backup code proves it too (it stands for the authenticator).
    const off = await t.request('POST', '/v1/me/totp/disable', { token, body: { code: regenerated.body.backupCodes[0] } });
    expect(off.status).toBe(204);
    expect((await t.request('POST', '/v1/sessions', { body: { login: email, password } })).status).toBe(201);
    expect(t.notices.last('factor-disabled', email)).toBeTruthy();
  });

  it('refuses to confirm when nothing is pending', async () => {
    const { token } = await enrolledUser();
    const res = await t.request('POST', '/v1/me/totp/confirm', { token, body: { code: '123456' } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('totp_not_pending');
  });
});
