// Threat 1 (replay), RFC 6238 5.2 and OWASP ASVS 2.8.4 / 2.8.5: one valid code, sent 50 times at once to
// three server processes sharing one PostgreSQL database, is accepted exactly once; every other try is
// rejected, the rejection is in the audit log, and the user is told by mail.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { decodeBase32 } from '../../src/core/otp/base32.ts';
import { generateTOTP } from '../../src/core/otp/totp.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { TEST_KEYS } from '../helpers/server.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

let servers: ServerProcess[] = [];
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
  const env = { DATABASE_URL: inject('databaseUrl')!, TWOFOLD_SECRET_KEYS: TEST_KEYS, SMTP_URL: sink.url };
  servers = await Promise.all([startServerProcess(env), startServerProcess(env), startServerProcess(env)]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await sink.close();
});

async function post(server: ServerProcess, path: string, body: unknown, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('one code, three instances, fifty parallel tries', () => {
  it('is accepted exactly once; the rejections are logged and the user is told', async () => {
    const email = `replay3.${Date.now()}@example.test`;
    const registered = await post(servers[0]!, '/v1/users', { email, password: 'three instances', totp: true });
    const key = decodeBase32(registered.body.totp.secret);
    const now = Date.now();
    const confirmed = await post(servers[1]!, '/v1/sessions/second-factor', { transactionId: registered.body.totp.transactionId, code: generateTOTP(key, now) });
    expect(confirmed.status).toBe(201);
    const token = confirmed.body.token as string;

    // Step-up checks on the same session, spread over all three instances, all with the next step's code.
    const code = generateTOTP(key, now + 30_000);
    const mailsBefore = sink.mails.length;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post(servers[i % 3]!, '/v1/me/step-up', { operation: 'pay', code, weakensAccount: true }, token)),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 200).map((a) => a.body.error.code);
    expect(refused.every((c) => c === 'second_factor_invalid' || c === 'account_locked')).toBe(true);

    const db = new pg.Client({ connectionString: inject('databaseUrl')! });
    await db.connect();
    try {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM security_events e JOIN users u ON u.id = e.user_id WHERE u.email_normalized = $1 AND e.kind = 'totp_replay_rejected'`,
        [email],
      );
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
    const mail = await sink.nextMailTo(email, mailsBefore, 5000, /reused/i);
    expect(mail.text).toMatch(/already been used/i);
    // One mail for the whole burst, not one per replay.
    expect(sink.mails.slice(mailsBefore).filter((m) => /reused/i.test(m.subject ?? ''))).toHaveLength(1);
  });
});
