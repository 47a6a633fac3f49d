// Moving authenticators in and out (issue 19, item 3), so a team switches to twofold without re-enrolling every
// phone. The round trip is checked against an independent implementation: `oathtool` (OATH Toolkit) computes the
// code the imported secret must accept. Skips are reported with their reason; an export is refused without an
// explicit acknowledgement and audited; secrets are sealed with the key ring at rest.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { enrolledUser } from '../helpers/accounts.ts';
import { encodeBase32 } from '../../src/core/otp/base32.ts';
import { parseTransferFile } from '../../src/core/admin/totp-formats.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const PASSWORD = 'moving from another system';
async function plainUser(label: string) {
  const email = uniqueEmail(label);
  const res = await t.request('POST', '/v1/users', { body: { email, password: PASSWORD } });
  expect(res.status).toBe(201);
  return { email, userId: res.body.user.id as string };
}

/** The code OATH Toolkit computes for this key at the server's time: an implementation that shares nothing with ours. */
function oathtoolCode(secret: string, algorithm: 'sha1' | 'sha256' | 'sha512', digits: number, periodSeconds: number): string {
  const now = t.clock.now().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return execFileSync('oathtool', [`--totp=${algorithm}`, '-d', String(digits), '-s', `${periodSeconds}s`, '-b', secret, '--now', now], { encoding: 'utf8' }).trim();
}

async function signInWithCode(email: string, code: string) {
  const started = await t.request('POST', '/v1/sessions', { body: { login: email, password: PASSWORD } });
  expect(started.status).toBe(202);
  expect(started.body.methods).toContain('totp');
  return t.request('POST', '/v1/sessions/second-factor', { body: { transactionId: started.body.transactionId, code } });
}

describe('importing', () => {
  it('a secret imported from an otpauth URI verifies a code computed by oathtool, keeping algorithm, digits and period', async () => {
    const user = await plainUser('import-sha256');
    const secret = encodeBase32(randomBytes(20));
    const uri = `otpauth://totp/OldIdP:${encodeURIComponent(user.email)}?secret=${secret}&issuer=OldIdP&algorithm=SHA256&digits=8&period=60`;
    const report = await t.server.core.admin.totp.import('otpauth', `# exported from OldIdP\n${uri}\n`, { dryRun: false });
    expect(report).toMatchObject({ imported: [{ where: 'line 2', user: user.email, userId: user.userId }], skipped: [] });
    const signedIn = await signInWithCode(user.email, oathtoolCode(secret, 'sha256', 8, 60));
    expect(signedIn.status).toBe(201);
    expect(signedIn.body.session.amr).toEqual(['pwd', 'otp', 'mfa']);
    // Sealed at rest: the stored value is not the key.
    const [row] = await t.server.db.query<{ secret_sealed: string }>('SELECT secret_sealed FROM totp_credentials WHERE user_id = $1', [user.userId]);
    expect(row!.secret_sealed).not.toContain(secret);
    const audited = await t.server.core.admin.events({ kind: 'totp_imported', userId: user.userId, limit: 1 });
    expect(audited[0]!.details).toMatchObject({ format: 'otpauth' });
  });

  it('reads CSV and Authelia YAML exports too (by username or address)', async () => {
    const a = await plainUser('import-csv');
    const b = await plainUser('import-authelia');
    const secretA = encodeBase32(randomBytes(20));
    const secretB = encodeBase32(randomBytes(32));
    const csv = `user,secret,algorithm,digits,period\n${a.email},${secretA},SHA1,6,30\n`;
    const yaml = `totp_configurations:\n  - created_at: 2024-01-01T00:00:00Z\n    username: '${b.email}'\n    issuer: Authelia\n    algorithm: SHA512\n    digits: 6\n    period: 30\n    secret: ${secretB}\n`;
    expect((await t.server.core.admin.totp.import('csv', csv, { dryRun: false })).imported).toHaveLength(1);
    expect((await t.server.core.admin.totp.import('authelia-yaml', yaml, { dryRun: false })).imported).toHaveLength(1);
    expect((await signInWithCode(a.email, oathtoolCode(secretA, 'sha1', 6, 30))).status).toBe(201);
    expect((await signInWithCode(b.email, oathtoolCode(secretB, 'sha512', 6, 30))).status).toBe(201);
  });

  it('skips, with a reason each, what it cannot or must not import; a dry run writes nothing', async () => {
    const fresh = await plainUser('import-dry');
    const enrolled = await enrolledUser(t, 'import-has');
    const good = encodeBase32(randomBytes(20));
    const file = [
      `otpauth://totp/X:${fresh.email}?secret=${good}`,
      `otpauth://totp/X:${enrolled.email}?secret=${good}`,
      `otpauth://totp/X:nobody-${Date.now()}@example.test?secret=${good}`,
      `otpauth://totp/X:${fresh.email}?secret=${encodeBase32(randomBytes(10))}`,
      `otpauth://totp/X:${fresh.email}?secret=${good}&algorithm=MD5`,
      'not a uri at all',
    ].join('\n');
    const dry = await t.server.core.admin.totp.import('otpauth', file, { dryRun: true });
    expect(dry.imported.map((i) => i.user)).toEqual([fresh.email]);
    expect(dry.skipped.map((s) => s.reason)).toEqual([
      `${enrolled.email} has an authenticator already`,
      expect.stringMatching(/^no user nobody-/),
      'the secret is 80 bits (at least 128 needed)',
      expect.stringMatching(/algorithm/),
      expect.stringMatching(/otpauth/),
    ]);
    expect((await t.request('POST', '/v1/sessions', { body: { login: fresh.email, password: PASSWORD } })).status, 'nothing written').toBe(201);
  });
});

describe('exporting', () => {
  it('is refused without the explicit acknowledgement', async () => {
    await expect(t.server.core.admin.totp.export('otpauth', { iUnderstandThisExportsSecrets: false })).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('writes every active authenticator in each format, which reads back to the same keys and parameters, and audits it', async () => {
    const user = await enrolledUser(t, 'export');
    for (const format of ['otpauth', 'csv', 'authelia-yaml'] as const) {
      const { text, count } = await t.server.core.admin.totp.export(format, { iUnderstandThisExportsSecrets: true });
      expect(count).toBeGreaterThan(0);
      const mine = parseTransferFile(format, text).find((r) => 'user' in r && r.user === user.email);
      expect(mine && 'secret' in mine ? encodeBase32(mine.secret) : null, format).toBe(user.secret);
      expect(mine).toMatchObject({ params: { algorithm: 'SHA1', digits: 6, periodSeconds: 30 } });
    }
    const audited = await t.server.core.admin.events({ kind: 'totp_exported', userId: user.userId, limit: 5 });
    expect(audited.map((e) => e.details.format).sort()).toEqual(['authelia-yaml', 'csv', 'otpauth']);
  });
});
