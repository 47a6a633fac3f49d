// Threat 11 (remember-me misuse), OWASP ASVS 3.3 / security.md: the grace after a passed second-factor check
// belongs to one session, one user agent and one IP, lasts rememberFor seconds, and never applies to an
// operation that weakens the account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser, startLogin, verify } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const UA = { 'user-agent': 'remember-test' };

describe('the remember-for grace', () => {
  it('is bound to the session, the user agent and the time, and skips nothing that weakens the account', async () => {
    const { email, password, secret } = await enrolledUser(t, 'remember');
    t.clock.advance(30_000);
    const login = await t.request('POST', '/v1/sessions/second-factor', {
      body: { transactionId: await startLogin(t, email, password), code: authenticatorCode(secret, t.clock) },
      headers: UA,
    });
    const token = login.body.token as string;
    const stepUp = (body: Record<string, unknown>, headers = UA, as = token) => t.request('POST', '/v1/me/step-up', { token: as, body: { operation: 'pay', ...body }, headers });

    // The sign-in itself passed a check: the same session, agent and IP ride on it.
    expect((await stepUp({})).status).toBe(200);
    // Another user agent, another session of the same user, or a weakening operation: challenged.
    expect((await stepUp({}, { 'user-agent': 'stolen-token-elsewhere' })).status).toBe(401);
    t.clock.advance(30_000);
    const otherSession = (await verify(t, await startLogin(t, email, password), authenticatorCode(secret, t.clock))).body.token;
    expect((await stepUp({}, { 'user-agent': 'other' }, otherSession)).status).toBe(401);
    expect((await stepUp({ weakensAccount: true })).body.error.code).toBe('second_factor_required');
    // Past the step-up window (10 minutes) but within remember-for: the app's operation still rides on the grace,
    // turning a factor off does not.
    t.clock.advance(11 * 60_000);
    expect((await stepUp({})).status).toBe(200);
    expect((await t.request('POST', '/v1/me/totp/disable', { token, headers: UA, body: {} })).body.error.code).toBe('second_factor_required');
    // After rememberFor (30 minutes) the grace is over.
    t.clock.advance(20 * 60_000);
    expect((await stepUp({})).status).toBe(401);
    t.clock.reset();
  });
});
