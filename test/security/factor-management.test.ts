// Threat 8 (factor management without proof) and threat 13 (notification), OWASP ASVS 2.5.5 / 2.8.6:
// adding or turning off a factor, regenerating backup codes or changing the password needs a proof of an existing
// factor, given now or within the step-up window (core/challenge/policy.ts);
// a new TOTP secret never replaces the active one until a code from it is verified; each change is mailed,
// and turning a factor off or changing the password ends every other session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser, startLogin, verify } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('without a recent proof', () => {
  it('nothing changes the factors or the password', async () => {
    const { token, email, password } = await enrolledUser(t, 'noproof');
    // The registration's code is older than the step-up window (10 minutes).
    t.clock.advance(601_000);
    try {
      const bare = await t.request('POST', '/v1/me/totp/disable', { token, body: {} });
      expect(bare.status).toBe(401);
      expect(bare.body.error).toMatchObject({ code: 'second_factor_required', details: { method: 'totp' } });
      expect((await t.request('POST', '/v1/me/totp/disable', { token, body: { code: '000000' } })).body.error.code).toBe('second_factor_invalid');
      expect((await t.request('POST', '/v1/me/backup-codes', { token, body: { code: '000000' } })).body.error.code).toBe('second_factor_invalid');
      expect((await t.request('POST', '/v1/me/totp', { token, body: {} })).body.error.code).toBe('second_factor_required');
      const pw = await t.request('POST', '/v1/me/password', { token, body: { currentPassword: password, newPassword: 'a brand new password' } });
      expect(pw.body.error.code).toBe('second_factor_required');
      expect((await t.request('POST', '/v1/sessions', { body: { login: email, password } })).status).toBe(202);
    } finally {
      t.clock.reset();
    }
  });

  it('a session from a remembered device has no proof: it answers a code before enrolling an authenticator', async () => {
    const { email, password, secret } = await enrolledUser(t, 'device');
    t.clock.advance(30_000);
    const remembered = await t.request('POST', '/v1/sessions/second-factor', {
      body: { transactionId: await startLogin(t, email, password), code: authenticatorCode(secret, t.clock), rememberDevice: true },
    });
    const viaDevice = await t.request('POST', '/v1/sessions', { body: { login: email, password }, headers: { 'x-twofold-device': remembered.body.device.token } });
    expect(viaDevice.status).toBe(201);
    const token = viaDevice.body.token as string;
    expect((await t.request('POST', '/v1/me/totp', { token, body: {} })).body.error.code).toBe('second_factor_required');
    t.clock.advance(30_000);
    expect((await t.request('POST', '/v1/me/totp', { token, body: { code: authenticatorCode(secret, t.clock) } })).status).toBe(201);
    t.clock.reset();
  });

  it('a new authenticator does not replace the active one until its own code is verified', async () => {
    const { token, email, password, secret } = await enrolledUser(t, 'replace');
    const fresh = await t.request('POST', '/v1/me/totp', { token });
    t.clock.advance(30_000);
    // A wrong code for the new secret changes nothing; the old one still signs in.
    expect((await t.request('POST', '/v1/me/totp/confirm', { token, body: { code: '000000' } })).body.error.code).toBe('code_invalid');
    expect((await verify(t, await startLogin(t, email, password), authenticatorCode(secret, t.clock))).status).toBe(201);
    t.clock.advance(30_000);
    expect((await verify(t, await startLogin(t, email, password), authenticatorCode(fresh.body.secret, t.clock))).body.error.code).toBe('code_invalid');
    t.clock.reset();
  });
});

describe('with proof', () => {
  it('turning TOTP off ends the other sessions and mails the user', async () => {
    const { token, email, password, secret } = await enrolledUser(t, 'revoke');
    t.clock.advance(30_000);
    const other = await verify(t, await startLogin(t, email, password), authenticatorCode(secret, t.clock));
    t.clock.advance(30_000);
    expect((await t.request('POST', '/v1/me/totp/disable', { token, body: { code: authenticatorCode(secret, t.clock) } })).status).toBe(204);
    expect((await t.request('GET', '/v1/me', { token: other.body.token })).status).toBe(401);
    expect((await t.request('GET', '/v1/me', { token })).status).toBe(200);
    expect(t.notices.last('factor-disabled', email).factor).toBe('totp');
    t.clock.reset();
  });

  it('changing the password needs the current one and a code, and ends the other sessions', async () => {
    const { token, email, password, secret } = await enrolledUser(t, 'password');
    t.clock.advance(30_000);
    const other = (await verify(t, await startLogin(t, email, password), authenticatorCode(secret, t.clock))).body.token;
    t.clock.advance(30_000);
    const wrongCurrent = await t.request('POST', '/v1/me/password', {
      token,
      body: { currentPassword: 'not my password', newPassword: 'a brand new password', code: authenticatorCode(secret, t.clock) },
    });
    expect(wrongCurrent.body.error.code).toBe('invalid_credentials');
    // The code was answered (the factor is checked before the password, so a wrong password tells nothing more):
    // within the step-up window the session does not need it again.
    const changed = await t.request('POST', '/v1/me/password', { token, body: { currentPassword: password, newPassword: 'a brand new password' } });
    expect(changed.status).toBe(204);
    expect((await t.request('GET', '/v1/me', { token: other })).status).toBe(401);
    expect((await t.request('POST', '/v1/sessions', { body: { login: email, password } })).status).toBe(401);
    expect((await t.request('POST', '/v1/sessions', { body: { login: email, password: 'a brand new password' } })).status).toBe(202);
    t.clock.reset();
  });

  it('users without a factor prove a password change with their password digest', async () => {
    const email = `plain.${Date.now()}@example.test`;
    await t.request('POST', '/v1/users', { body: { email, password: 'first password' } });
    const { token } = (await t.request('POST', '/v1/sessions', { body: { login: email, password: 'first password' } })).body;
    const res = await t.request('POST', '/v1/me/password', {
      token,
      body: { currentPassword: 'first password', newPassword: 'second password', method: 'password', code: createHash('sha256').update('first password').digest('hex') },
    });
    expect(res.status).toBe(204);
  });

  it('regenerating backup codes and enabling a factor are mailed', async () => {
    const { token, email, secret } = await enrolledUser(t, 'mailed');
    expect(t.notices.last('factor-enabled', email).factor).toBe('totp');
    t.clock.advance(30_000);
    await t.request('POST', '/v1/me/backup-codes', { token, body: { code: authenticatorCode(secret, t.clock) } });
    expect(t.notices.last('backup-codes-regenerated', email)).toBeTruthy();
    t.clock.reset();
  });
});
