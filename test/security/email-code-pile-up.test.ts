// Threat 15 (pile-up), security.md and OWASP ASVS 2.7.3: at most one live email code per user; sign-ins reuse it
// instead of mailing another, the per-person mail cap holds for sign-in mails too, a guess is compared with that one
// code only, and a code replaced by a newer one completes nothing. Two server instances share one database (the
// PostgreSQL pass runs it on PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';
import type { Notice } from '../../src/core/notices.ts';

let a: TestServer;
let b: TestServer;
beforeAll(async () => {
  // Rate limits on: the per-person mail cap is one of them (the login rule counts failures only).
  [a, b] = await Promise.all([startTestServer({ RATE_LIMITS: 'true' }), startTestServer({ RATE_LIMITS: 'true' })]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

async function emailUser() {
  const email = uniqueEmail('pileup');
  const password = 'mail me the codes';
  await a.request('POST', '/v1/users', { body: { email, password } });
  const { token } = (await a.request('POST', '/v1/sessions', { body: { login: email, password } })).body;
  const link = new URL(a.notices.last('verify-email', email).link);
  await a.request('POST', '/v1/email-verification', { body: { token: link.searchParams.get('token') } });
  expect((await a.request('POST', '/v1/me/email-2fa', { token, body: {} })).status).toBe(200);
  return { email, password };
}

const mailsTo = (email: string) =>
  [...a.notices.sent, ...b.notices.sent].filter((n): n is Extract<Notice, { kind: 'email-code' }> => n.kind === 'email-code' && n.to.includes(email));
const liveCodes = async (email: string) =>
  (
    await a.server.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM email_codes e JOIN users u ON u.id = e.user_id
       WHERE u.email_normalized = $1 AND e.used_at IS NULL AND e.expires_at > now()`,
      [email],
    )
  )[0]!.n;

describe('email codes do not pile up (threat 15)', () => {
  it('thirty sign-ins on two instances: one mail, one live code, and it completes any of them', async () => {
    const { email, password } = await emailUser();
    const logins = [];
    for (let i = 0; i < 30; i++) logins.push(await (i % 2 ? b : a).request('POST', '/v1/sessions', { body: { login: email, password } }));
    expect(logins.every((l) => l.status === 202)).toBe(true);
    expect(mailsTo(email)).toHaveLength(1);
    expect(await liveCodes(email)).toBe(1);
    const code = mailsTo(email)[0]!.code;
    expect((await b.request('POST', '/v1/sessions/second-factor', { body: { transactionId: logins[29]!.body.transactionId, code } })).status).toBe(201);
    // Used once: the same code completes nothing else.
    expect((await a.request('POST', '/v1/sessions/second-factor', { body: { transactionId: logins[0]!.body.transactionId, code } })).body.error.code).toBe(
      'code_invalid',
    );
  });

  it('a new code replaces the live one: the old code is dead, and at most 5 codes are mailed to one person per 10 minutes', async () => {
    const { email, password } = await emailUser();
    const login = await a.request('POST', '/v1/sessions', { body: { login: email, password } });
    const first = mailsTo(email).at(-1)!.code;
    // "Email me a code" again and again, from both instances.
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await (i % 2 ? b : a).request('POST', '/v1/email-codes', { body: { emailOrUsername: email } }));
    await expect.poll(() => mailsTo(email).length).toBe(5);
    expect(answers.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(await liveCodes(email)).toBe(1);
    const latest = mailsTo(email).at(-1)!.code;
    expect(latest).not.toBe(first);
    expect((await a.request('POST', '/v1/sessions/second-factor', { body: { transactionId: login.body.transactionId, code: first } })).status).toBe(401);
    expect((await b.request('POST', '/v1/sessions/second-factor', { body: { transactionId: login.body.transactionId, code: latest } })).status).toBe(201);
  });

  it('a guess is compared with the one live code: 5 wrong guesses spend it, whatever was mailed before', async () => {
    const { email, password } = await emailUser();
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push(await a.request('POST', '/v1/sessions', { body: { login: email, password } }));
    const code = mailsTo(email).at(-1)!.code;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) {
      await (i % 2 ? b : a).request('POST', '/v1/sessions/second-factor', { body: { transactionId: tries[i % 3]!.body.transactionId, code: wrong } });
    }
    // The code's five tries are gone: the right code no longer counts either.
    const late = await a.request('POST', '/v1/sessions/second-factor', { body: { transactionId: tries[2]!.body.transactionId, code } });
    expect(late.status).toBe(401);
  });
});
