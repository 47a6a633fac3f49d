import { describe, expect, it } from 'vitest';
import { ChallengeMemory } from '../../../test/core/challenge-harness.ts';
import { factorState, T0, testKeyRing, testUser, totpCredential } from '../../../test/core/fixtures.ts';
import { availableMethods, emailFactorOn, hasFactor, offeredFactors, offeredState, signInAuthenticators, type FactorSettings } from './factors.ts';
import { preferredMethod } from './details.ts';

/** What a user can be challenged with follows from their factor state, seen through the server's settings. */
const keyRing = testKeyRing();

describe('emailFactorOn', () => {
  it('needs email codes turned on and a verified address: an unverified one cannot carry codes', () => {
    expect(emailFactorOn(testUser({ emailTwoFactorEnabledAt: T0 }))).toBe(true);
    expect(emailFactorOn(testUser({ emailTwoFactorEnabledAt: T0, emailVerifiedAt: null }))).toBe(false);
    expect(emailFactorOn(testUser({ emailTwoFactorEnabledAt: null }))).toBe(false);
  });
});

describe('signInAuthenticators', () => {
  it('are the active authenticator and an armed replacement, never a pending one', () => {
    const user = testUser();
    const active = totpCredential(keyRing, user.id);
    const armed = totpCredential(keyRing, user.id, { state: 'armed' });
    const pending = totpCredential(keyRing, user.id, { state: 'pending' });
    expect(signInAuthenticators(factorState(user, { authenticator: active, unconfirmed: armed }))).toEqual([active, armed]);
    expect(signInAuthenticators(factorState(user, { authenticator: active, unconfirmed: pending }))).toEqual([active]);
    expect(signInAuthenticators(factorState(user, { unconfirmed: armed }))).toEqual([armed]);
    expect(signInAuthenticators(factorState(user))).toEqual([]);
  });
});

describe('availableMethods', () => {
  it('lists totp, email, then webauthn: code-only clients list a key but cannot always answer it', () => {
    const user = testUser({ emailTwoFactorEnabledAt: T0 });
    const state = factorState(user, { authenticator: totpCredential(keyRing, user.id), webauthnKeys: 2 });
    expect(availableMethods(state)).toEqual(['totp', 'email', 'webauthn']);
    expect(availableMethods(factorState(user, { webauthnKeys: 1 }))).toEqual(['email', 'webauthn']);
    expect(availableMethods(factorState(testUser(), { unconfirmed: totpCredential(keyRing, user.id, { state: 'armed' }) }))).toEqual(['totp']);
    expect(availableMethods(factorState(testUser(), { unconfirmed: totpCredential(keyRing, user.id, { state: 'pending' }) }))).toEqual([]);
  });

  it('has a factor exactly when it lists one', () => {
    expect(hasFactor(factorState(testUser()))).toBe(false);
    expect(hasFactor(factorState(testUser(), { webauthnKeys: 1 }))).toBe(true);
  });
});

describe('preferredMethod: a client picks only a factor the user has enabled', () => {
  it("honours the client's choice among the user's factors", () => {
    expect(preferredMethod(['totp', 'email', 'webauthn'], 'email')).toBe('email');
    expect(preferredMethod(['totp', 'email', 'webauthn'], 'webauthn')).toBe('webauthn');
  });

  it("falls back to the user's first factor for anything else", () => {
    for (const requested of ['email', 'password', 'sms', 'toString', 1, null, undefined, ['email']]) {
      expect(preferredMethod(['totp'], requested)).toBe('totp');
    }
    expect(preferredMethod([], 'email')).toBeNull();
  });
});

describe("offeredState: a factor the server does not offer is one the user does not have", () => {
  const user = testUser({ emailTwoFactorEnabledAt: T0 });
  const state = factorState(user, {
    authenticator: totpCredential(keyRing, user.id),
    unconfirmed: totpCredential(keyRing, user.id, { state: 'armed' }),
    webauthnKeys: 1,
  });
  const settings = (totp: boolean, email: boolean): FactorSettings => ({ totp, email, emailAutoOptIn: false });

  it('leaves the state as it is when both code factors are offered', () => {
    expect(offeredState(state, settings(true, true))).toBe(state);
  });

  it('hides the authenticators when TOTP is not offered, and keeps what the user set up', () => {
    const offered = offeredState(state, settings(false, true));
    expect(availableMethods(offered)).toEqual(['email', 'webauthn']);
    expect([offered.authenticator, offered.unconfirmed]).toEqual([null, null]);
    expect(offered.user).toBe(user);
    expect(state.authenticator).not.toBeNull();
  });

  it('hides email codes when email is not offered', () => {
    const offered = offeredState(state, settings(true, false));
    expect(availableMethods(offered)).toEqual(['totp', 'webauthn']);
    expect(offered.authenticator).toBe(state.authenticator);
    expect(offered.unconfirmed).toBe(state.unconfirmed);
    expect(offered.user).toEqual({ ...user, emailTwoFactorEnabledAt: null });
  });
});

describe('offeredFactors: every reader of factor state gets the offered state', () => {
  it('applies the settings to both reads and passes the writes through', async () => {
    const store = new ChallengeMemory();
    const user = testUser({ emailTwoFactorEnabledAt: T0 });
    store.states.set(user.id, factorState(user, { authenticator: totpCredential(keyRing, user.id) }));
    store.transactions.set('aa', { userId: user.id, purpose: 'login', credentialId: null, attempts: 0, createdAt: T0, expiresAt: T0, consumedAt: null, burnedAt: null, answerHash: null });
    store.backupCodes.push({ userId: user.id, hash: 'h', id: 'b1', usedAt: null });
    const offered = offeredFactors(store, { totp: false, email: true, emailAutoOptIn: false });

    expect(availableMethods((await offered.factors(user.id, T0))!)).toEqual(['email']);
    expect(await offered.factors('nobody', T0)).toBeNull();
    const found = await offered.transaction(Buffer.from('aa', 'hex'), T0);
    expect(found!.transaction.userId).toBe(user.id);
    expect(availableMethods(found!.state)).toEqual(['email']);
    expect(await offered.transaction(Buffer.from('bb', 'hex'), T0)).toBeNull();
    expect(await offered.findBackupCode(user.id, ['h'])).toEqual({ id: 'b1', usedAt: null });

    const write = { userId: user.id, now: T0, events: [] };
    expect(await offered.accept({ ...write, claim: { kind: 'none' }, resetThrottle: false })).toEqual({ status: 'accepted', replacedAuthenticator: false });
    expect(await offered.reject({ ...write, countTowardLockout: true, throttle: { failuresPerLockout: 5, baseLockSeconds: 60, maxConsecutiveFailures: 100 } })).toMatchObject({ status: 'counted' });
    expect([store.accepted.length, store.rejected.length]).toEqual([1, 1]);
  });
});
