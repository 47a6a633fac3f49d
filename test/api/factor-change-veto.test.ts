// The veto window over the native API (security.md threat 22): with FACTOR_CHANGE_VETO_SECONDS on, turning the
// authenticator off answers 202 with when it applies, /v1/me lists the change, and the mailed "this wasn't me" link
// cancels it, ends the session and locks sign-in (account_locked_by_owner) until the admin unlock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ FACTOR_CHANGE_VETO_SECONDS: '86400' });
});
afterAll(() => t.close());

const fragmentToken = (link: string) => decodeURIComponent(new URL(link).hash.replace(/^#veto=/, ''));

describe('veto window on the native API', () => {
  it('holds a removal of the authenticator, lists it on /v1/me, and the veto link cancels it and locks sign-in', async () => {
    const user = await enrolledUser(t, 'veto-native');
    t.clock.advance(30_000);
    const held = await t.request('POST', '/v1/me/totp/disable', { token: user.token, body: { code: authenticatorCode(user.secret, t.clock) } });
    expect(held.status).toBe(202);
    expect(new Date(held.body.pendingUntil).getTime() - t.clock.now().getTime()).toBeGreaterThan(86_400_000 - 5_000);
    expect((await t.request('GET', '/v1/me/totp', { token: user.token })).body.enabled).toBe(true);
    const me = await t.request('GET', '/v1/me', { token: user.token });
    expect(me.body.pendingFactorChanges).toMatchObject([{ kind: 'totp-disable', factor: 'totp', change: 'disabled', applyAt: held.body.pendingUntil }]);

    const link = t.notices.last('factor-change-requested', user.email).vetoLink;
    expect(link.startsWith(`${t.server.config.publicUrl}/#veto=`), 'the token travels in the fragment, never in a request line').toBe(true);
    expect((await t.request('POST', '/v1/factor-changes/veto', { body: { token: fragmentToken(link) } })).status).toBe(204);
    expect((await t.request('POST', '/v1/factor-changes/veto', { body: { token: fragmentToken(link) } })).body.error.code).toBe('veto_token_invalid');
    expect((await t.request('GET', '/v1/me', { token: user.token })).status).toBe(401);
    const refused = await t.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('account_locked_by_owner');

    t.clock.advance(2 * 86_400_000);
    expect(await t.server.factorChanges.applyDue()).toBeGreaterThanOrEqual(0);
    await t.server.core.admin.unlock(user.userId);
    const again = await t.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password } });
    expect(again.status, 'the authenticator is still on: the removal was cancelled').toBe(202);
  });
});
