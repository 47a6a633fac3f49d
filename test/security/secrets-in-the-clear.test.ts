// Threat 10 (secrets in the clear), OWASP ASVS 2.4.1, 2.7.5, 2.8.x, 6.4, 7.1.1: after a run that exercises
// every kind of secret — passwords, TOTP keys, TOTP and email codes, backup codes, transaction ids, session
// and verification tokens, on the native, Backendless and DDP façades — neither a dump of the database nor
// the full log (every level, requests included) holds any of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { dumpDatabase } from '../helpers/dump.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { connectSimpleDdp, sha256 } from '../helpers/ddp-clients.ts';
import { decodeBase32 } from '../../src/core/otp/base32.ts';

let t: TestServer;
const logLines: string[] = [];
const swallow = () => undefined;
beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  t = await startTestServer({}, { logLines });
});
afterAll(async () => {
  await t.close();
  process.off('unhandledRejection', swallow);
});

/**
 * Whether `text` holds `value`. A six-digit code is looked for as a value of its own: the dump of the suite's
 * shared database is megabytes of hex, base64 and timestamps whose microseconds are six digits too, where a
 * given six digits turn up by chance.
 */
function holds(text: string, value: string): boolean {
  if (!/^\d+$/.test(value)) return text.includes(value);
  return new RegExp(`(?<![0-9A-Za-z.+/=_-])${value}(?![0-9A-Za-z])`).test(text);
}

describe('a database dump and the full log', () => {
  it('hold none of the secrets a run used', async () => {
    const secrets: string[] = [];
    const keep = (...values: Array<string | undefined>) => values.forEach((v) => v && secrets.push(v));

    // Native API: register with TOTP, verify email, confirm, sign in with a backup code, use email codes.
    const email = uniqueEmail('secrets');
    const username = `secrets${Date.now().toString(36)}`;
    const password = `Pw-${Math.random().toString(36).slice(2)}-secret`;
    const reg = await t.request('POST', '/v1/users', { body: { email, password, username, totp: true } });
    const verifyToken = new URL(t.notices.last('verify-email', email).link).searchParams.get('token')!;
    await t.request('GET', `/v1/email-verification/confirm?token=${verifyToken}`);
    const { secret, transactionId } = reg.body.totp;
    t.clock.advance(30_000);
    const totpCode = authenticatorCode(secret, t.clock);
    const confirmed = await t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, code: totpCode } });
    keep(password, secret, Buffer.from(decodeBase32(secret)).toString('hex'), verifyToken, transactionId, totpCode, confirmed.body.token, ...confirmed.body.backupCodes);
    keep(new URL(reg.body.totp.qrUrl).pathname.split('/').pop()!.replace('.png', ''));

    const login = await t.request('POST', '/v1/sessions', { body: { login: email, password } });
    const backup = confirmed.body.backupCodes[0] as string;
    const viaBackup = await t.request('POST', '/v1/sessions/second-factor', { body: { transactionId: login.body.transactionId, code: backup } });
    keep(login.body.transactionId, viaBackup.body.token, backup.replace('-', ''));

    await t.request('POST', '/v1/me/email-2fa', { token: viaBackup.body.token });
    await t.request('POST', '/v1/me/step-up', { token: viaBackup.body.token, body: { operation: 'x', method: 'email' }, headers: { 'user-agent': 'a' } });
    const emailCode = t.notices.last('email-code', email).code;
    await t.request('POST', '/v1/me/step-up', { token: viaBackup.body.token, body: { operation: 'x', method: 'email', code: emailCode }, headers: { 'user-agent': 'a' } });
    keep(emailCode);

    // Backendless façade: its user-token travels in a path once (isvalidusertoken).
    const { appId, apiKey } = t.server.backendless;
    const blLogin = (await (
      await fetch(`${t.url}/${appId}/${apiKey}/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: email, password }) })
    ).json()) as { transactionId: string };
    t.clock.advance(30_000);
    const blCode = authenticatorCode(secret, t.clock);
    const blUser = (await (
      await fetch(`${t.url}/${appId}/${apiKey}/services/TOTP/authWith2FA`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ transactionId: blLogin.transactionId, code: blCode }),
      })
    ).json()) as Record<string, string>;
    await fetch(`${t.url}/${appId}/${apiKey}/users/isvalidusertoken/${blUser['user-token']}`);
    keep(blLogin.transactionId, blCode, blUser['user-token']);

    // DDP: password digest login with a code, then resume.
    const ddp = await connectSimpleDdp(t.wsUrl);
    t.clock.advance(30_000);
    const ddpCode = authenticatorCode(secret, t.clock);
    const ddpLogin = await ddp.login({ totp: { login: { user: { username }, password: { digest: sha256(password), algorithm: 'sha-256' } }, code: ddpCode } });
    await ddp.disconnect();
    keep(ddpCode, ddpLogin.token, sha256(password));
    t.clock.reset();

    const dump = await dumpDatabase(await testDb());
    const log = logLines.join('');
    expect(log.length).toBeGreaterThan(1000);
    for (const value of secrets) {
      expect(value.length).toBeGreaterThanOrEqual(6);
      expect(holds(dump, value), `dump holds ${value}`).toBe(false);
      expect(log.includes(value), `log holds ${value}`).toBe(false);
    }
  });
});
