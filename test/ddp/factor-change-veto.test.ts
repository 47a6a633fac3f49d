// The veto window over DDP and Rocket.Chat's REST login (security.md threat 22), with real clients (simpleddp + its
// login plugin, @rocket.chat/ddp-client): a stolen login that turns the authenticator off or adds a factor gets
// nothing until FACTOR_CHANGE_VETO_SECONDS is over. The seed's answers keep their shapes (`true`);
// `2fa:validateTempToken` adds `pendingUntil`. The owner's mailed link cancels the change, ends the DDP login, and
// every login is refused with `error-account-locked-by-owner`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSimpleDdp, ddpError, sha256, withRocketChatSdk, type SimpleDdpClient } from '../helpers/ddp-clients.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { ddpSignedIn, ddpTotpUser, mailedCode, rocketRest } from '../rocketchat/helpers.ts';

const WINDOW_MS = 86_400_000;
let t: TestServer;
const clients: SimpleDdpClient[] = [];
const swallow = () => undefined;
beforeAll(async () => {
  // simpleddp rejects some internal promises on disconnect; they must not fail the run.
  process.on('unhandledRejection', swallow);
  t = await startTestServer({ FACTOR_CHANGE_VETO_SECONDS: String(WINDOW_MS / 1000) });
});
afterAll(async () => {
  for (const client of clients) await client.disconnect().catch(() => undefined);
  await t.close();
  process.off('unhandledRejection', swallow);
});

const nextStep = () => t.clock.advance(30_000);
const digest = (password: string) => ({ digest: sha256(password), algorithm: 'sha-256' });
const vetoToken = (email: string) => decodeURIComponent(new URL(t.notices.last('factor-change-requested', email).vetoLink).hash.replace(/^#veto=/, ''));

const signedIn = (label: string) => ddpSignedIn(t, clients, label);

/** A first authenticator: applied at once (nothing to protect yet), so no `pendingUntil`. */
async function withTotp(label: string) {
  const user = await ddpTotpUser(t, clients, label);
  expect(user.confirmed).not.toHaveProperty('pendingUntil');
  return user;
}

describe('DDP: the veto window on factor changes', () => {
  it('2fa:disable answers true, but the authenticator stays on until the window is over', async () => {
    const { ddp, email, secret } = await withTotp('ddpvetohold');
    nextStep();
    expect(await ddp.call('2fa:disable', authenticatorCode(secret, t.clock))).toBe(true);
    expect(t.notices.last('factor-change-requested', email)).toMatchObject({ factor: 'totp', change: 'disabled' });
    expect(await ddp.call('2fa:checkCodesRemaining')).toEqual({ remaining: 12 });

    t.clock.advance(WINDOW_MS);
    expect(await t.server.factorChanges.applyDue()).toBeGreaterThanOrEqual(1);
    expect(await ddpError(ddp.call('2fa:checkCodesRemaining'))).toMatchObject({ error: 'invalid-totp' });
    expect(t.notices.last('factor-disabled', email).factor).toBe('totp');
  });

  it('a new authenticator of an email-code user: validateTempToken adds pendingUntil; the veto cancels it and locks every login', async () => {
    const user = await signedIn('ddpvetoswap');
    expect(await user.ddp.call('2fa:enable-email')).toBe(true);
    // Adding the authenticator needs a proof of the email factor: the mailed code, through callWithTwoFactorRequired.
    expect(await ddpError(user.ddp.call('2fa:enable'))).toMatchObject({ error: 'totp-required', details: { method: 'email' } });
    const code = mailedCode(t, user.email);
    const { secret } = (await user.ddp.call('callWithTwoFactorRequired', { code, ddpMethod: '2fa:enable', method: 'email', params: [] })) as { secret: string };
    nextStep();
    const held = (await user.ddp.call('2fa:validateTempToken', authenticatorCode(secret, t.clock))) as { codes: string[]; pendingUntil: Date | string };
    expect(held.codes).toHaveLength(12);
    expect(new Date(held.pendingUntil).getTime() - t.clock.now().getTime()).toBeGreaterThan(WINDOW_MS - 5_000);
    expect(t.notices.last('factor-change-requested', user.email)).toMatchObject({ factor: 'totp', change: 'enabled' });

    expect((await t.request('POST', '/v1/factor-changes/veto', { body: { token: vetoToken(user.email) } })).status).toBe(204);
    // The DDP login ended with every session.
    expect(await ddpError(user.ddp.call('2fa:checkCodesRemaining'))).toMatchObject({ error: 'not-authorized' });

    const again = await connectSimpleDdp(t.wsUrl);
    clients.push(again);
    const locked = { error: 'error-account-locked-by-owner', reason: 'The owner locked this account: an administrator must unlock it' };
    expect(await ddpError(again.login({ user: { username: user.username }, password: digest(user.password) }))).toMatchObject(locked);
    await withRocketChatSdk(t.url, async (sdk) => {
      expect(await ddpError(sdk.account.loginWithPassword(user.username, sha256(user.password)))).toMatchObject(locked);
    });
    const rest = await rocketRest(t, 'POST', 'login', { body: { user: user.email, password: user.password } });
    expect(rest.status).toBe(401);
    expect(rest.body).toMatchObject({ success: false, status: 'error', error: 'error-account-locked-by-owner' });

    // Past the window nothing applies: after the operator's unlock, email codes are still the only factor.
    t.clock.advance(2 * WINDOW_MS);
    await t.server.factorChanges.applyDue();
    await t.server.core.admin.unlock(user.userId);
    const challenged = await ddpError(again.login({ user: { username: user.username }, password: digest(user.password) }));
    expect(challenged).toMatchObject({ error: 'totp-required', details: { method: 'email', availableMethods: ['email'] } });
  });
});
