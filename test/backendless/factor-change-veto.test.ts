// The veto window over the Backendless wire (security.md threat 22), with the real `backendless` SDK: a stolen
// user-token that turns 2FA off or swaps the authenticator gets nothing until FACTOR_CHANGE_VETO_SECONDS is over.
// The seed's answers keep their shapes (`disable2FA` is `true`); `confirm2FA` adds `pendingUntil`. The owner's
// mailed link cancels the change, ends the app's session, and the SDK's login is refused with 8842.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appFor, type BackendlessApp } from '../helpers/backendless-app.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { failure } from '../helpers/sdk-errors.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { authenticatorCode } from '../helpers/totp.ts';

const WINDOW_MS = 86_400_000;
let t: TestServer;
let app: BackendlessApp;
beforeAll(async () => {
  t = await startTestServer({ FACTOR_CHANGE_VETO_SECONDS: String(WINDOW_MS / 1000) });
  app = appFor(t);
});
afterAll(() => t.close());

const nextStep = () => t.clock.advance(30_000);
const invoke = <T>(method: string, params?: Record<string, unknown>) => app.CustomServices.invoke('TOTP', method, params) as Promise<T>;
const rawValid = async (token: string) => (await fetch(`${t.url}/api/users/isvalidusertoken/${token}`)).json();
const vetoToken = (email: string) => decodeURIComponent(new URL(t.notices.last('factor-change-requested', email).vetoLink).hash.replace(/^#veto=/, ''));

/** The seed's registration with 2FA, signed in by authWith2FA: the app holds this user's token (a first factor applies at once). */
async function signedInWith2FA(label: string) {
  const email = uniqueEmail(label);
  const password = 'veto window on backendless';
  const { transactionId, secret } = (await app.UserService.register({ email, password, totpAuthEnabled: true } as never)) as unknown as {
    transactionId: string;
    secret: string;
  };
  nextStep();
  const user = await invoke<Record<string, unknown>>('authWith2FA', { transactionId, code: authenticatorCode(secret, t.clock) });
  app.UserService.setCurrentUser(user as never);
  return { email, password, secret, token: user['user-token'] as string, userId: user.objectId as string };
}

describe('Backendless: the veto window on factor changes', () => {
  it('disable2FA still answers true, but the authenticator stays on until the window is over', async () => {
    const { email, password } = await signedInWith2FA('bl-veto-hold');
    expect(await invoke('disable2FA')).toBe(true);
    expect(t.notices.last('factor-change-requested', email)).toMatchObject({ factor: 'totp', change: 'disabled' });
    expect(await invoke('status')).toMatchObject({ enabled: true });
    // Another login still asks for the code (that login also ends the app's session: one login at a time).
    const held = (await app.UserService.login(email, password)) as unknown as Record<string, unknown>;
    expect(held.transactionId).toEqual(expect.any(String));
    expect(held['user-token']).toBeUndefined();

    t.clock.advance(WINDOW_MS);
    expect(await t.server.factorChanges.applyDue()).toBeGreaterThanOrEqual(1);
    const after = (await app.UserService.login(email, password)) as unknown as Record<string, unknown>;
    expect(after['user-token'], 'the removal applied: no code asked').toEqual(expect.any(String));
    expect(t.notices.last('factor-disabled', email).factor).toBe('totp');
    app.UserService.setCurrentUser(undefined);
  });

  it('enable2FA + confirm2FA of a replacement answer pendingUntil; the veto cancels it, ends the session and login is 8842', async () => {
    const { email, password, secret, token, userId } = await signedInWith2FA('bl-veto-swap');
    const replacement = await invoke<{ qrURL: string; secret: string; transactionId: string }>('enable2FA');
    expect(Object.keys(replacement).sort(), 'the seed shape').toEqual(['qrURL', 'secret', 'transactionId']);
    nextStep();
    const confirmed = await invoke<{ backupCodes: string[]; pendingUntil: string }>('confirm2FA', { code: authenticatorCode(replacement.secret, t.clock) });
    expect(confirmed.backupCodes).toHaveLength(12);
    expect(new Date(confirmed.pendingUntil).getTime() - t.clock.now().getTime()).toBeGreaterThan(WINDOW_MS - 5_000);
    expect(t.notices.last('factor-change-requested', email)).toMatchObject({ factor: 'totp', change: 'replaced' });

    expect((await t.request('POST', '/v1/factor-changes/veto', { body: { token: vetoToken(email) } })).status).toBe(204);
    expect(await app.UserService.isValidLogin()).toBe(false);
    expect(await rawValid(token)).toBe(false);
    app.UserService.setCurrentUser(undefined);
    expect(await failure(app.UserService.login(email, password))).toMatchObject({ code: 8842, status: 403 });

    // Past the window nothing applies; after the operator's unlock the old authenticator is the one asked for.
    t.clock.advance(2 * WINDOW_MS);
    await t.server.factorChanges.applyDue();
    await t.server.core.admin.unlock(userId);
    const { transactionId } = (await app.UserService.login(email, password)) as unknown as { transactionId: string };
    nextStep();
    expect(await failure(invoke('authWith2FA', { transactionId, code: authenticatorCode(replacement.secret, t.clock) }))).toMatchObject({ code: 8803 });
    const back = await invoke<Record<string, unknown>>('authWith2FA', { transactionId, code: authenticatorCode(secret, t.clock) });
    expect(back['user-token']).toEqual(expect.any(String));
    app.UserService.setCurrentUser(undefined);
  });
});
