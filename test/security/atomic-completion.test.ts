// Threat 14 (atomic completion), security.md and OWASP ASVS 2.8.4 / 3.2: claiming the answer, consuming the
// transaction, creating the session and writing its events commit together or not at all; a client repeating the
// exact request that already succeeded (its answer was lost) gets the same session back, never a replay alarm and
// never a count toward the lockout.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser, startLogin, verify } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const count = async (sql: string, params: unknown[]) => (await t.server.db.query<{ n: number }>(sql, params))[0]!.n;
const sessionsOf = (userId: string) => count('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [userId]);
const eventsOf = (userId: string, kind: string) => count('SELECT count(*)::int AS n FROM security_events WHERE user_id = $1 AND kind = $2', [userId, kind]);
const failuresOf = (userId: string) => count('SELECT factor_failures AS n FROM users WHERE id = $1', [userId]);

/** Sends a request and drops the connection before any answer can come back: the answer is lost. */
function sendAndHangUp(path: string, body: unknown): Promise<void> {
  const { port } = new URL(t.url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.end(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`);
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}

describe('a lost answer (threat 14)', () => {
  it('the same request again gets the same session: no second session, no replay alarm, no failure', async () => {
    const { email, password, secret, userId } = await enrolledUser(t, 'lost');
    const transactionId = await startLogin(t, email, password);
    t.clock.advance(30_000);
    const code = authenticatorCode(secret, t.clock);
    const sessionsBefore = await sessionsOf(userId);
    await sendAndHangUp('/v1/sessions/second-factor', { transactionId, code });
    await expect.poll(() => sessionsOf(userId)).toBe(sessionsBefore + 1);

    const retry = await verify(t, transactionId, code);
    expect(retry.status).toBe(200);
    expect((await t.request('GET', '/v1/me', { token: retry.body.token })).status).toBe(200);
    const again = await verify(t, transactionId, code);
    expect(again.body.token).toBe(retry.body.token);
    expect(await sessionsOf(userId)).toBe(sessionsBefore + 1);
    expect(await eventsOf(userId, 'totp_replay_rejected')).toBe(0);
    expect(await failuresOf(userId)).toBe(0);
    expect(t.notices.sent.some((n) => n.kind === 'totp-replay-rejected' && n.to === email)).toBe(false);
    t.clock.reset();
  });

  it('a parallel burst of the same right answer: one session, created once (201), the others get it back (200)', async () => {
    const { email, password, secret, userId } = await enrolledUser(t, 'burst');
    const transactionId = await startLogin(t, email, password);
    t.clock.advance(30_000);
    const code = authenticatorCode(secret, t.clock);
    const answers = await Promise.all(Array.from({ length: 8 }, () => verify(t, transactionId, code)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.token)).size).toBe(1);
    expect(answers.every((a) => a.status === 201 || a.status === 200)).toBe(true);
    expect(await eventsOf(userId, 'totp_replay_rejected')).toBe(0);
    expect(await failuresOf(userId)).toBe(0);
    t.clock.reset();
  });

  it('is recognised only as the same answer, and only for two minutes', async () => {
    const { email, password, secret, backupCodes } = await enrolledUser(t, 'window');
    const transactionId = await startLogin(t, email, password);
    t.clock.advance(30_000);
    const code = authenticatorCode(secret, t.clock);
    expect((await verify(t, transactionId, code)).status).toBe(201);
    // Another (valid) answer to the completed transaction is no retry.
    expect((await verify(t, transactionId, backupCodes[0])).body.error.code).toBe('transaction_used');
    t.clock.advance(121_000);
    expect((await verify(t, transactionId, code)).body.error.code).toBe('transaction_used');
    t.clock.reset();
  });

  it('a registration that confirms the authenticator gives the same backup codes again', async () => {
    const email = `lost.reg.${Date.now()}@example.test`;
    const reg = await t.request('POST', '/v1/users', { body: { email, password: 'lost registration', totp: true } });
    const { transactionId, secret } = reg.body.totp;
    t.clock.advance(30_000);
    const code = authenticatorCode(secret, t.clock);
    const first = await verify(t, transactionId, code);
    const repeat = await verify(t, transactionId, code);
    expect(first.status).toBe(201);
    expect(repeat.status).toBe(200);
    expect(repeat.body.backupCodes).toEqual(first.body.backupCodes);
    expect(repeat.body.token).toBe(first.body.token);
    t.clock.reset();
  });
});

describe('a failure in the middle of completing (threat 14)', () => {
  it('leaves nothing behind: the step is not spent, the transaction is open, no session, no event', async () => {
    const { email, password, secret, userId } = await enrolledUser(t, 'midway');
    const transactionId = await startLogin(t, email, password);
    t.clock.advance(30_000);
    const code = authenticatorCode(secret, t.clock);
    const sessionsBefore = await sessionsOf(userId);
    const passedBefore = await eventsOf(userId, 'challenge_passed');
    // The session insert fails for this user: the statement that wrote the rest before it must undo it all.
    const trigger = `fail_${userId.replaceAll('-', '')}`;
    await t.server.db.exec(`
      CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.user_id = '${userId}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER ${trigger} BEFORE INSERT ON sessions FOR EACH ROW EXECUTE FUNCTION ${trigger}();`);
    try {
      expect((await verify(t, transactionId, code)).status).toBe(500);
    } finally {
      await t.server.db.exec(`DROP TRIGGER ${trigger} ON sessions; DROP FUNCTION ${trigger}();`);
    }
    expect(await sessionsOf(userId)).toBe(sessionsBefore);
    expect(await eventsOf(userId, 'challenge_passed')).toBe(passedBefore);
    const [tx] = await t.server.db.query<{ attempts: number; consumed: boolean }>(
      'SELECT attempts, consumed_at IS NOT NULL AS consumed FROM login_transactions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1',
      [userId],
    );
    expect(tx).toEqual({ attempts: 0, consumed: false });
    // The client's retry with the same code gets in: the step was never claimed, so it is no replay.
    const retry = await verify(t, transactionId, code);
    expect(retry.status).toBe(201);
    expect(await eventsOf(userId, 'totp_replay_rejected')).toBe(0);
    t.clock.reset();
  });
});
