import { describe, expect, it } from 'vitest';
import { browser, challengeHarness, POLICY, sessionOf } from '../../../test/core/challenge-harness.ts';
import { factorState, PASSWORD, PASSWORD_HASH, RFC_KEY, T0, testUser, totpCredential } from '../../../test/core/fixtures.ts';
import { hashToken } from '../crypto/hash.ts';
import { TwofoldError } from '../errors.ts';
import { generateTOTP } from '../otp/totp.ts';
import { passwordDigest } from '../password.ts';
import type { Session } from '../sessions/session.ts';
import type { UserRecord } from '../users/user.ts';
import { accountLocked, demandProof, requireProof, type ProofRequest } from './require.ts';
import type { AppOperation } from './policy.ts';
import type { Proof } from './proof.ts';

/**
 * `challenge.require` decides, for every path, whether a proof is enough for an operation: the policy row says
 * what a session's history may stand in for, and an answer is checked (and counted) by the challenge module.
 */
const passwordHash = PASSWORD_HASH;

const sendMessage: AppOperation = { name: 'app.sendMessage' };
const deleteAccount: AppOperation = { name: 'app.deleteAccount', weakensAccount: true, passwordFallback: true };
const MINUTE = 60_000;

function setUp(factors: { totp?: boolean; email?: boolean } = { totp: true }) {
  const harness = challengeHarness();
  const user = testUser({ passwordHash, emailTwoFactorEnabledAt: factors.email ? T0 : null });
  harness.store.states.set(
    user.id,
    factorState(user, { authenticator: factors.totp ? totpCredential(harness.keyRing, user.id, { key: RFC_KEY }) : null }),
  );
  const ask = (request: Partial<ProofRequest>) =>
    requireProof(harness.deps, { user, operation: sendMessage, proof: null, session: null, context: browser, ...request });
  const code = () => generateTOTP(RFC_KEY, harness.clock.now().getTime());
  return { ...harness, user, ask, code };
}

/** A session that answered its second factor `minutesAgo`, from `browser` unless told otherwise. */
const answeredAgo = (user: UserRecord, minutesAgo: number, overrides: Partial<Session> = {}) =>
  sessionOf(user, { secondFactorAt: new Date(T0.getTime() - minutesAgo * MINUTE), ...overrides });

describe("remember-for (Rocket.Chat's grace for an app's operation)", () => {
  it('lets a session that answered a factor from this same client pass without a new answer', async () => {
    const { ask, user } = setUp();
    const outcome = await ask({ session: answeredAgo(user, 10) });
    expect(outcome).toMatchObject({ kind: 'passed', via: 'remember-for', factor: null });
  });

  it('challenges the same session replayed from another address: the grace is bound to where the factor was answered (threat 11)', async () => {
    const { ask, user } = setUp();
    const session = answeredAgo(user, 10);
    expect((await ask({ session, context: { ...browser, ip: '203.0.113.9' } })).kind).toBe('challenge');
    expect((await ask({ session, context: { ...browser, userAgent: 'curl/8.0' } })).kind).toBe('challenge');
    expect((await ask({ session, context: { client: 'rest' } })).kind).toBe('challenge');
  });

  it('ends after REMEMBER_FOR, to the millisecond', async () => {
    const { ask, user } = setUp();
    const within = sessionOf(user, { secondFactorAt: new Date(T0.getTime() - POLICY.rememberForSeconds * 1000 + 1) });
    const past = sessionOf(user, { secondFactorAt: new Date(T0.getTime() - POLICY.rememberForSeconds * 1000) });
    expect((await ask({ session: within })).kind).toBe('passed');
    expect((await ask({ session: past })).kind).toBe('challenge');
  });

  it('is never given when REMEMBER_FOR is 0', async () => {
    const { ask, user, deps } = setUp();
    deps.rememberForSeconds = 0;
    expect((await ask({ session: answeredAgo(user, 0) })).kind).toBe('challenge');
  });

  it('is never given for an operation that weakens the account, nor to a session that never answered a factor', async () => {
    const { ask, user } = setUp();
    expect((await ask({ operation: deleteAccount, session: answeredAgo(user, 0) })).kind).toBe('challenge');
    expect((await ask({ session: sessionOf(user, { secondFactorAt: null }) })).kind).toBe('challenge');
  });
});

describe('the step-up window (changing what protects the account)', () => {
  it('accepts a factor this session answered less than STEP_UP_WINDOW_SECONDS ago, and not at the window', async () => {
    const { ask, user } = setUp();
    const window = POLICY.stepUpWindowSeconds * 1000;
    const within = sessionOf(user, { secondFactorAt: new Date(T0.getTime() - window + 1) });
    const at = sessionOf(user, { secondFactorAt: new Date(T0.getTime() - window) });
    expect(await ask({ operation: 'change-password', session: within })).toMatchObject({ kind: 'passed', via: 'window' });
    expect((await ask({ operation: 'change-password', session: at })).kind).toBe('challenge');
  });

  it('is not bound to the client address (a step-up, unlike a grace, follows the session)', async () => {
    const { ask, user } = setUp();
    const session = answeredAgo(user, 1);
    expect((await ask({ operation: 'disable-authenticator', session, context: { ...browser, ip: '203.0.113.9' } })).kind).toBe('passed');
  });

  it("lets a user with no factor yet prove the password this session gave within the window", async () => {
    const { ask, user } = setUp({});
    const recent = sessionOf(user, { secondFactorAt: null, passwordAt: new Date(T0.getTime() - MINUTE) });
    const old = sessionOf(user, { secondFactorAt: null, passwordAt: new Date(T0.getTime() - POLICY.stepUpWindowSeconds * 1000) });
    expect(await ask({ operation: 'enrol-authenticator', session: recent })).toMatchObject({ kind: 'passed', via: 'window' });
    expect(await ask({ operation: 'enrol-authenticator', session: old })).toMatchObject({ kind: 'challenge', details: { method: 'password', availableMethods: [] } });
    expect((await ask({ operation: 'enrol-authenticator', session: null })).kind).toBe('challenge');
  });

  it("accepts the Backendless seed's session that signed in with its factor, however long ago", async () => {
    const { ask, user } = setUp();
    expect(await ask({ operation: 'backendless.disable-2fa', session: answeredAgo(user, 600) })).toMatchObject({ kind: 'passed', via: 'signed-in-with-factor' });
    expect((await ask({ operation: 'backendless.disable-2fa', session: sessionOf(user, { secondFactorAt: null }) })).kind).toBe('challenge');
  });
});

describe("the password fallback (Rocket.Chat: a user with no second factor proves a weakening operation with the password)", () => {
  const digestProof = (digest: string): Proof => ({ kind: 'password', digest });

  it('passes with the right password, and marks the session as having proved its password (not a factor)', async () => {
    const { ask, user, store } = setUp({});
    const session = sessionOf(user, { secondFactorAt: null });
    const outcome = await ask({ operation: deleteAccount, proof: digestProof(passwordDigest(PASSWORD)), session });
    expect(outcome).toMatchObject({ kind: 'passed', via: 'answer', factor: 'password' });
    expect(store.accepted[0]).toMatchObject({ claim: { kind: 'none' }, resetThrottle: false, markSession: { id: session.id, proved: 'password', ip: browser.ip, userAgent: browser.userAgent } });
  });

  it('refuses a wrong password, and counts it', async () => {
    const { ask, user, store } = setUp({});
    const outcome = await ask({ operation: deleteAccount, proof: digestProof(passwordDigest('not the password')), session: sessionOf(user) });
    expect(outcome).toMatchObject({ kind: 'refused', error: { code: 'second_factor_invalid', details: { method: 'password', availableMethods: [] } } });
    expect(store.rejected).toHaveLength(1);
    expect(store.rejected[0]).toMatchObject({ countTowardLockout: true });
  });

  it('is no proof at all for a user who has a second factor, even when the password is right', async () => {
    const { ask, user, store } = setUp();
    const outcome = await ask({ operation: deleteAccount, proof: digestProof(passwordDigest(PASSWORD)), session: sessionOf(user) });
    expect(outcome).toMatchObject({ kind: 'refused', error: { code: 'second_factor_invalid', details: { method: 'totp', availableMethods: ['totp'] } } });
    expect(store.accepted).toHaveLength(0);
  });

  it('asks for the password when none is given', async () => {
    const { ask, audited, user } = setUp({});
    const outcome = await ask({ operation: deleteAccount });
    expect(outcome).toEqual({ kind: 'challenge', details: { method: 'password', codeGenerated: false, availableMethods: [] } });
    expect(audited).toEqual([{ kind: 'challenge_issued', userId: user.id, details: { method: 'password', operation: 'app.deleteAccount', codeGenerated: false } }]);
  });

  it('lets a user with no factor through an operation without the fallback, with or without an answer', async () => {
    const { ask, store } = setUp({});
    expect(await ask({ operation: sendMessage })).toMatchObject({ kind: 'passed', via: 'no-factor', factor: null });
    expect(await ask({ operation: sendMessage, proof: { kind: 'code', code: '123456' } })).toMatchObject({ kind: 'passed', via: 'no-factor' });
    expect([store.accepted, store.rejected]).toEqual([[], []]);
  });
});

describe('answers', () => {
  it("passes a right authenticator code and starts the session's window from this client", async () => {
    const { ask, user, code, store, observed } = setUp();
    const session = sessionOf(user, { secondFactorAt: null });
    const outcome = await ask({ operation: 'change-password', proof: { kind: 'code', code: code() }, session, context: { client: 'ddp', ip: '192.0.2.1' } });
    expect(outcome).toMatchObject({ kind: 'passed', via: 'answer', factor: 'totp' });
    expect(store.accepted[0]).toMatchObject({ resetThrottle: true, markSession: { id: session.id, proved: 'factor', ip: '192.0.2.1', userAgent: null } });
    expect(observed.map((e) => [e.kind, e.details])).toEqual([['challenge_passed', { method: 'totp', operation: 'change-password' }]]);
  });

  it('marks no session when none asked', async () => {
    const { ask, code, store } = setUp();
    await ask({ proof: { kind: 'code', code: code() } });
    expect(store.accepted[0]!.markSession).toBeUndefined();
  });

  it('refuses a wrong code as second_factor_invalid naming what the user has', async () => {
    const { ask, user } = setUp({ totp: true, email: true });
    const outcome = await ask({ proof: { kind: 'totp', code: '000000' }, session: sessionOf(user) });
    expect(outcome).toMatchObject({ kind: 'refused', error: { code: 'second_factor_invalid', details: { method: 'totp', availableMethods: ['totp', 'email'] } } });
  });

  it('answers a malformed code like a wrong one (Rocket.Chat clients expect totp-invalid) without counting it', async () => {
    const { ask, store } = setUp();
    const outcome = await ask({ proof: { kind: 'code', code: '1234567' } });
    expect(outcome).toMatchObject({ kind: 'refused', error: { code: 'second_factor_invalid' } });
    expect(store.rejected).toHaveLength(0);
  });

  it('says the email code is used up when its tries are', async () => {
    const { ask, store } = setUp();
    store.willReject({ status: 'counted', attempts: null, lockBegan: null, codeExhausted: true });
    const outcome = await ask({ proof: { kind: 'code', code: '000000' } });
    expect(outcome).toMatchObject({ kind: 'refused', error: { code: 'second_factor_max_attempts' } });
  });

  it('refuses while the account is locked, with the time to retry', async () => {
    const { ask, code, store } = setUp();
    const until = new Date(T0.getTime() + 90_500);
    store.willAccept({ status: 'locked', until });
    const outcome = await ask({ proof: { kind: 'code', code: code() } });
    expect(outcome).toMatchObject({ kind: 'refused', error: { code: 'account_locked', details: { retryAt: until.toISOString(), retryAfterSeconds: 91 } } });
    store.willReject({ status: 'locked', until });
    expect(await ask({ proof: { kind: 'code', code: '000000' } })).toMatchObject({ kind: 'refused', error: { code: 'account_locked' } });
  });

  it('refuses an answer whose write found nothing to accept (a parallel request spent it)', async () => {
    const { ask, code, store } = setUp();
    store.willAccept({ status: 'transaction-gone' });
    expect(await ask({ proof: { kind: 'code', code: code() } })).toMatchObject({ kind: 'refused', error: { code: 'second_factor_invalid' } });
  });

  it('treats an unknown user as a programming error of the caller', async () => {
    const { deps } = setUp();
    await expect(requireProof(deps, { user: testUser(), operation: sendMessage, proof: null, session: null, context: browser })).rejects.toMatchObject({ code: 'user_not_found' });
  });
});

describe('which factor a challenge names', () => {
  it('names the first factor the user has and mails no email code for it: a TOTP user is not mailed on every challenge', async () => {
    const { ask, notices, audited, user } = setUp({ totp: true, email: true });
    const outcome = await ask({});
    expect(outcome).toEqual({ kind: 'challenge', details: { method: 'totp', codeGenerated: false, availableMethods: ['totp', 'email'] } });
    expect(notices).toEqual([]);
    expect(audited).toEqual([{ kind: 'challenge_issued', userId: user.id, details: { method: 'totp', operation: 'app.sendMessage', codeGenerated: false } }]);
  });

  it('mails a code when the client asks for email and the user has it, and reuses it while it is fresh', async () => {
    const { ask, notices, user, clock } = setUp({ totp: true, email: true });
    const first = await ask({ preferredMethod: 'email' });
    expect(first).toMatchObject({ kind: 'challenge', details: { method: 'email', codeGenerated: true, emailOrUsername: user.email } });
    expect(notices).toHaveLength(1);
    clock.advance(MINUTE);
    const second = await ask({ preferredMethod: 'email' });
    expect(second).toMatchObject({ kind: 'challenge', details: { method: 'email', codeGenerated: false, codeCount: 1, codeExpires: [new Date(T0.getTime() + POLICY.emailCodeTtlSeconds * 1000)] } });
    expect(notices).toHaveLength(1);
  });

  it('ignores a requested factor the user has not enabled: a client picks only among the user\'s own factors', async () => {
    const { ask, notices } = setUp({ totp: true });
    for (const preferredMethod of ['email', 'webauthn', 'password', 'sms', 42, null]) {
      expect(await ask({ preferredMethod })).toMatchObject({ kind: 'challenge', details: { method: 'totp', codeGenerated: false } });
    }
    expect(notices).toEqual([]);
  });

  it('names email first for an email-only user and mails the code to the username when there is one', async () => {
    const { ask, notices, store, user } = setUp({ email: true });
    store.states.set(user.id, { ...store.states.get(user.id)!, user: { ...user, username: 'jack' } });
    expect(await ask({})).toMatchObject({ kind: 'challenge', details: { method: 'email', codeGenerated: true, emailOrUsername: 'jack', availableMethods: ['email'] } });
    expect(notices).toHaveLength(1);
  });
});

describe('a key as the factor', () => {
  function withKey() {
    const setup = setUp({});
    const { user, store, keys } = setup;
    store.states.set(user.id, { ...store.states.get(user.id)!, webauthnKeys: 1 });
    keys.set(user.id, [
      { id: 'k1', userId: user.id, credentialId: 'cred-1', publicKey: new Uint8Array(8), counter: 0, transports: ['usb'], deviceType: 'singleDevice', backedUp: false, name: 'key', createdAt: T0, lastUsedAt: null },
    ]);
    return setup;
  }

  it("issues the key's options when a key user is challenged, their challenge bound to the session that asked", async () => {
    const { ask, user, challenges } = withKey();
    const session = sessionOf(user, { secondFactorAt: null });
    const outcome = await ask({ operation: 'change-password', session });
    expect(outcome).toMatchObject({ kind: 'challenge', details: { method: 'webauthn', codeGenerated: false, availableMethods: ['webauthn'], webauthn: { allowCredentials: [{ id: 'cred-1' }] } } });
    expect(challenges).toEqual([{ challengeHash: expect.any(Buffer), binding: { purpose: 'step-up', boundTo: hashToken(session.id), userId: user.id }, expiresAt: new Date(T0.getTime() + 300_000) }]);
  });

  it('reads a webauthn proof without an assertion as asking for the options, whatever the first factor', async () => {
    const { ask, store, user, keyRing } = withKey();
    store.states.set(user.id, { ...store.states.get(user.id)!, authenticator: totpCredential(keyRing, user.id) });
    expect(await ask({ proof: { kind: 'webauthn', response: null } })).toMatchObject({ kind: 'challenge', details: { method: 'webauthn', availableMethods: ['totp', 'webauthn'] } });
    expect(store.rejected).toEqual([]);
  });

  it('binds a challenge asked without a session to nothing else', async () => {
    const { ask, challenges } = withKey();
    await ask({});
    expect(challenges[0]!.binding.boundTo).toBeNull();
  });

  it('refuses an assertion of a key that is not registered, counted', async () => {
    const { ask, store } = withKey();
    expect(await ask({ proof: { kind: 'webauthn', response: { id: 'unknown' } } })).toMatchObject({ kind: 'refused', error: { code: 'second_factor_invalid', details: { method: 'webauthn' } } });
    expect(store.rejected).toHaveLength(1);
  });
});

describe('demandProof', () => {
  it('returns the pass when the proof is enough', async () => {
    const { deps, user, code } = setUp();
    const passed = await demandProof(deps, { user, operation: sendMessage, proof: { kind: 'code', code: code() }, session: null, context: browser });
    expect(passed).toMatchObject({ kind: 'passed', via: 'answer', factor: 'totp' });
  });

  it('throws second_factor_required carrying the challenge, or the refusal', async () => {
    const { deps, user } = setUp();
    const request = { user, operation: sendMessage, session: null, context: browser };
    await expect(demandProof(deps, { ...request, proof: null })).rejects.toMatchObject({
      code: 'second_factor_required',
      details: { method: 'totp', codeGenerated: false, availableMethods: ['totp'] },
    });
    await expect(demandProof(deps, { ...request, proof: { kind: 'code', code: '000000' } })).rejects.toMatchObject({ code: 'second_factor_invalid' });
  });
});

describe('accountLocked', () => {
  it('tells when to retry, never less than a second', () => {
    const error = accountLocked(new Date(T0.getTime() + 1), T0);
    expect(error).toBeInstanceOf(TwofoldError);
    expect(error).toMatchObject({ code: 'account_locked', details: { retryAt: new Date(T0.getTime() + 1).toISOString(), retryAfterSeconds: 1 } });
    expect(accountLocked(new Date(T0.getTime() - 5000), T0).details.retryAfterSeconds).toBe(1);
    expect(accountLocked(new Date(T0.getTime() + 60_000), T0).details.retryAfterSeconds).toBe(60);
  });

  it('gives no retry time for a lock that lasts until an operator lifts it (year 9999)', () => {
    expect(accountLocked(new Date('9999-01-01T00:00:00Z'), T0).details).toEqual({ retryAt: null, retryAfterSeconds: null });
    expect(accountLocked(new Date('9998-12-31T23:59:59Z'), T0).details.retryAt).toBe('9998-12-31T23:59:59.000Z');
  });
});

describe('requireProof: what an answer that fails tells the client', () => {
  it('answers a malformed code as a wrong one, naming the factors (Rocket.Chat clients expect totp-invalid), uncounted', async () => {
    const { ask, user, store } = setUp();
    const outcome = await ask({ session: answeredAgo(user, 60 * 24), operation: deleteAccount, proof: { kind: 'code', code: '12' } });
    expect(outcome).toMatchObject({ kind: 'refused', error: { code: 'second_factor_invalid', details: { method: 'totp', availableMethods: ['totp'] } } });
    expect(store.rejected).toEqual([]);
  });

  it('names the factors in a refusal of a wrong code', async () => {
    const { ask, user } = setUp();
    const outcome = await ask({ session: answeredAgo(user, 60 * 24), operation: deleteAccount, proof: { kind: 'code', code: '000000' } });
    expect(outcome).toMatchObject({ kind: 'refused', error: { code: 'second_factor_invalid', details: { method: 'totp', availableMethods: ['totp'] } } });
  });

  it('lets a database outage during the check through as itself (a 503), never as a wrong answer', async () => {
    const { ask, user, store, code } = setUp();
    const outage = new TwofoldError('database_unavailable');
    store.accept = async () => Promise.reject(outage);
    await expect(ask({ session: answeredAgo(user, 60 * 24), operation: deleteAccount, proof: { kind: 'code', code: code() } })).rejects.toBe(outage);
  });

  it('asks a user with no second factor for the password again where the operation wants an answer, however fresh the session’s password', async () => {
    const { ask, user } = setUp({});
    const outcome = await ask({ session: sessionOf(user, { secondFactorAt: null, passwordAt: T0 }), operation: deleteAccount });
    expect(outcome).toMatchObject({ kind: 'challenge', details: { method: 'password' } });
  });
});
