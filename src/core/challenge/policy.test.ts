import { describe, expect, it } from 'vitest';
import { appRow, challengeMethodFor, operationName, policyTable, type PolicyRow } from './policy.ts';

/**
 * The policy table is the one place that says what proof an operation needs. It is data, built once at start-up,
 * so each row is held here directly (a mutation run ignores code that runs only at load time).
 */
const FACTOR_CHANGE: PolicyRow = { withFactor: 'window', withoutFactor: 'password-window', weakens: true };
const ADDS_A_FACTOR: PolicyRow = { ...FACTOR_CHANGE, weakens: false };

describe('policyTable', () => {
  it('asks a recent proof of an existing factor (or the password) for every change of what protects the account (threat 8)', () => {
    const table = policyTable({ backendlessChangeProof: 'session' });
    expect(table).toEqual({
      'enrol-authenticator': ADDS_A_FACTOR,
      'enable-email-codes': ADDS_A_FACTOR,
      'add-passkey': ADDS_A_FACTOR,
      'disable-authenticator': FACTOR_CHANGE,
      'disable-email-codes': FACTOR_CHANGE,
      'remove-passkey': FACTOR_CHANGE,
      'regenerate-backup-codes': FACTOR_CHANGE,
      'change-password': FACTOR_CHANGE,
      'change-email': FACTOR_CHANGE,
      'revoke-other-sessions': ADDS_A_FACTOR,
      'backendless.enable-2fa': { withFactor: 'signed-in-with-factor', withoutFactor: 'nothing', weakens: false },
      'backendless.disable-2fa': { withFactor: 'signed-in-with-factor', withoutFactor: 'nothing', weakens: true },
    });
  });

  it("holds the Backendless seed's parameterless enable2FA / disable2FA as strictly as BACKENDLESS_2FA_CHANGE_PROOF says", () => {
    const rows = (strictness: 'session' | 'recent' | 'code') => {
      const table = policyTable({ backendlessChangeProof: strictness });
      return [table['backendless.enable-2fa'], table['backendless.disable-2fa']];
    };
    expect(rows('recent')).toEqual([ADDS_A_FACTOR, FACTOR_CHANGE]);
    expect(rows('code')).toEqual([
      { withFactor: 'answer', withoutFactor: 'password-answer', weakens: false },
      { withFactor: 'answer', withoutFactor: 'password-answer', weakens: true },
    ]);
    // The other rows do not depend on it.
    expect(policyTable({ backendlessChangeProof: 'code' })['disable-authenticator']).toEqual(FACTOR_CHANGE);
  });
});

describe("appRow: an app's own operation (Rocket.Chat's protected methods)", () => {
  it("gives Rocket.Chat's remember-for grace to an operation that does not weaken the account", () => {
    expect(appRow({ name: 'app.sendMessage' })).toEqual({ withFactor: 'remember-for', withoutFactor: 'nothing', weakens: false });
    expect(appRow({ name: 'app.sendMessage', weakensAccount: false })).toEqual({ withFactor: 'remember-for', withoutFactor: 'nothing', weakens: false });
  });

  it('asks an answer every time for an operation that weakens the account', () => {
    expect(appRow({ name: 'app.deleteAccount', weakensAccount: true })).toEqual({ withFactor: 'answer', withoutFactor: 'nothing', weakens: true });
  });

  it('asks the password of a user with no factor when the operation says so', () => {
    expect(appRow({ name: 'app.deleteAccount', weakensAccount: true, passwordFallback: true }).withoutFactor).toBe('password-answer');
    expect(appRow({ name: 'app.deleteAccount', passwordFallback: false }).withoutFactor).toBe('nothing');
  });
});

describe('operationName', () => {
  it('audits a table operation by its name and an app operation by the name it gave', () => {
    expect(operationName('change-password')).toBe('change-password');
    expect(operationName({ name: 'app.deleteAccount' })).toBe('app.deleteAccount');
  });
});

describe('challengeMethodFor', () => {
  it("names the user's first factor, the password of a user without one, or nothing when the row asks nothing", () => {
    expect(challengeMethodFor(FACTOR_CHANGE, ['email', 'webauthn'])).toBe('email');
    expect(challengeMethodFor(FACTOR_CHANGE, [])).toBe('password');
    expect(challengeMethodFor(appRow({ name: 'x' }), [])).toBeNull();
    expect(challengeMethodFor(appRow({ name: 'x' }), ['totp'])).toBe('totp');
  });
});
