import { describe, expect, it } from 'vitest';
import { browser, challengeHarness, POLICY } from '../../../test/core/challenge-harness.ts';
import { factorState, PASSWORD, PASSWORD_HASH, RFC_KEY, T0, testUser, totpCredential } from '../../../test/core/fixtures.ts';
import { hashToken } from '../crypto/hash.ts';
import { backupCodeLookup } from '../factors/backup-codes.ts';
import { generateTOTP } from '../otp/totp.ts';
import type { FactorState } from './factors.ts';
import type { Proof } from './proof.ts';
import { checkAnswer, type Answer, type AnswerRequest } from './answer.ts';
import { passwordDigest } from '../password.ts';
import type { RateCharge } from '../limits/rate-limit.ts';
import { completeSignIn } from './sign-in.ts';

/**
 * `checkAnswer` is where every answer is routed to its verifier and recorded. These tests go through a sign-in
 * (its errors carry what the check decided): which answers are typing slips (never counted), which verifier
 * a code reaches for what the user has, and what each write carries.
 */
type Factors = { totp?: boolean; email?: boolean; keys?: number; digits?: number };

function setUp(factors: Factors) {
  const harness = challengeHarness();
  const user = testUser({ emailTwoFactorEnabledAt: factors.email ? T0 : null });
  const params = { algorithm: 'SHA1' as const, digits: factors.digits ?? 6, periodSeconds: 30 };
  const state: FactorState = factorState(user, {
    authenticator: factors.totp ? totpCredential(harness.keyRing, user.id, { key: RFC_KEY, params }) : null,
    webauthnKeys: factors.keys ?? 0,
  });
  harness.store.states.set(user.id, state);
  const complete = (proof: Proof, id = harness.openTransaction(user.id)) => completeSignIn(harness.deps, { transactionId: id, proof, rememberDevice: false }, browser);
  const code = () => generateTOTP(RFC_KEY, harness.clock.now().getTime(), params);
  const addBackupCode = (code: string, usedAt: Date | null = null) =>
    harness.store.backupCodes.push({ userId: user.id, hash: backupCodeLookup(harness.keyRing, user.id, code)[0]!, id: `b-${code}`, usedAt });
  return { ...harness, user, complete, code, addBackupCode };
}

describe('a code no factor of the user could have produced is a typing slip: refused, never counted (threat 12)', () => {
  it.each([
    [{ totp: true }, '1234567', '6 digits or a backup code'],
    [{ totp: true }, '12345678', '6 digits or a backup code'],
    [{ totp: true, digits: 8 }, '123456', '8 digits or a backup code'],
    [{ email: true }, 'ABCDEFGH', '6 digits'],
    [{ email: true }, '1234567', '6 digits'],
  ] as const)('a user with %j typing %s is told: %s', async (factors, typed, expected) => {
    const { complete, store } = setUp(factors);
    await expect(complete({ kind: 'code', code: typed })).rejects.toMatchObject({ code: 'code_malformed', details: { expected } });
    expect([store.accepted, store.rejected]).toEqual([[], []]);
  });

  it.each([
    [{ totp: true }, '000000'],
    [{ totp: true }, 'ABCDEFGH'],
    [{ totp: true, digits: 8 }, '00000000'],
    [{ email: true }, '000000'],
    [{ totp: true, email: true }, '000000'],
  ] as const)('a user with %j typing %s has made a guess, counted', async (factors, typed) => {
    const { complete, store } = setUp(factors);
    await expect(complete({ kind: 'code', code: typed })).rejects.toMatchObject({ code: 'code_invalid', details: { attemptsLeft: POLICY.maxAttempts - 1 } });
    expect(store.rejected).toHaveLength(1);
  });

  it('takes any code from a user whose only factor is a key as a missing assertion, counted', async () => {
    const { complete, store } = setUp({ keys: 1 });
    await expect(complete({ kind: 'code', code: '123456' })).rejects.toMatchObject({ code: 'webauthn_invalid' });
    expect(store.rejected[0]!.events[0]!.details).toEqual({ method: 'webauthn', operation: 'login' });
  });
});

describe('which verifier an answer reaches', () => {
  it('tries a backup-shaped code as a backup code once the authenticator has not matched it', async () => {
    const { complete, store, addBackupCode } = setUp({ totp: true });
    addBackupCode('WXYZ2345');
    await expect(complete({ kind: 'code', code: 'WXYZ2345' })).resolves.toMatchObject({ repeated: false });
    expect(store.accepted[0]!.claim).toEqual({ kind: 'backup-code', id: 'b-WXYZ2345' });
    expect(store.accepted[0]!.events[0]!.details).toEqual({ method: 'backup', operation: 'login' });
  });

  it('takes eight digits from the user of a 6-digit authenticator as a backup code (2 to 9 are in its alphabet)', async () => {
    const { complete, store, addBackupCode } = setUp({ totp: true });
    addBackupCode('23456789');
    await expect(complete({ kind: 'code', code: '23456789' })).resolves.toMatchObject({ repeated: false });
    expect(store.accepted[0]!.claim).toEqual({ kind: 'backup-code', id: 'b-23456789' });
  });

  it('accepts no backup code from a user without an authenticator (they stand for it)', async () => {
    const { complete, store, addBackupCode } = setUp({ email: true });
    addBackupCode('WXYZ2345');
    await expect(complete({ kind: 'backup', code: 'WXYZ2345' })).rejects.toMatchObject({ code: 'code_invalid' });
    expect(store.rejected[0]!.events[0]!.details).toEqual({ method: 'backup', operation: 'login' });
  });

  it('checks an email code only for a user who has email codes on', async () => {
    const withEmail = setUp({ totp: true, email: true });
    await expect(withEmail.complete({ kind: 'email', code: '123456' })).rejects.toMatchObject({ code: 'code_invalid' });
    expect(withEmail.store.rejected[0]!.events[0]!.details).toEqual({ method: 'email', operation: 'login' });

    const without = setUp({ totp: true });
    await expect(without.complete({ kind: 'email', code: '123456' })).rejects.toMatchObject({ code: 'code_invalid' });
    expect(without.store.rejected[0]!.events[0]!.details).toEqual({ method: 'totp', operation: 'login' });
  });

  it("takes a try of the live email code for a wrong guess, and completes with the mailed code", async () => {
    const { complete, store, user, keyRing } = setUp({ email: true });
    const state = store.states.get(user.id)!;
    const live = { id: 'e1', codeHash: keyRing.hashCode('246810', `email-code:${user.id}`), attempts: 0, createdAt: T0, liveSince: T0, expiresAt: new Date(T0.getTime() + 600_000) };
    store.states.set(user.id, { ...state, emailCode: live });
    await expect(complete({ kind: 'code', code: '135790' })).rejects.toMatchObject({ code: 'code_invalid' });
    expect(store.rejected[0]!.emailCode).toEqual({ id: 'e1', maxAttempts: POLICY.emailCodeMaxAttempts });
    await expect(complete({ kind: 'code', code: '246810' })).resolves.toMatchObject({ repeated: false });
    expect(store.accepted[0]!.claim).toEqual({ kind: 'email-code', id: 'e1', maxAttempts: POLICY.emailCodeMaxAttempts });
  });

  it('calls a replayed authenticator code a replay even when it looks like a backup code would not', async () => {
    const { complete, code, store, replays, user } = setUp({ totp: true });
    const answer = code();
    await complete({ kind: 'totp', code: answer });
    await expect(complete({ kind: 'totp', code: answer })).rejects.toMatchObject({ code: 'code_invalid' });
    expect(store.rejected[0]).toMatchObject({ countTowardLockout: false });
    expect(replays).toEqual([{ userId: user.id, factor: 'totp' }]);
  });

  it('records a used backup code as a replay, without the authenticator replay event', async () => {
    const { complete, store, addBackupCode, replays, user } = setUp({ totp: true });
    addBackupCode('WXYZ2345', T0);
    await expect(complete({ kind: 'code', code: 'WXYZ2345' })).rejects.toMatchObject({ code: 'code_invalid' });
    expect(store.rejected[0]!.events.map((e) => [e.kind, e.details])).toEqual([['challenge_failed', { method: 'backup', operation: 'login', replayed: true }]]);
    expect(replays).toEqual([{ userId: user.id, factor: 'backup' }]);
  });
});

describe('what the writes carry', () => {
  it('turns a right answer spent by a parallel request meanwhile into a replay, uncounted (a backup code cannot be spent twice by a parallel burst)', async () => {
    const { complete, store, addBackupCode } = setUp({ totp: true });
    addBackupCode('WXYZ2345');
    store.willAccept({ status: 'claim-taken' });
    await expect(complete({ kind: 'code', code: 'WXYZ2345' })).rejects.toMatchObject({ code: 'code_invalid' });
    expect(store.rejected).toHaveLength(1);
    expect(store.rejected[0]).toMatchObject({ countTowardLockout: false });
    expect(store.rejected[0]!.events[0]!.details).toMatchObject({ replayed: true });
  });

  it('never says fewer than zero attempts are left', async () => {
    const { complete, store } = setUp({ totp: true });
    store.willReject({ status: 'counted', attempts: POLICY.maxAttempts + 3, lockBegan: null, codeExhausted: false });
    await expect(complete({ kind: 'code', code: '000000' })).rejects.toMatchObject({ details: { attemptsLeft: 0 } });
    store.willReject({ status: 'counted', attempts: null, lockBegan: null, codeExhausted: false });
    await expect(complete({ kind: 'code', code: '000000' })).rejects.toMatchObject({ details: { attemptsLeft: 0 } });
  });

  it('takes an attempt of the transaction with each write, with the throttle policy for the lockout', async () => {
    const { complete, store, openTransaction, user, deps, code } = setUp({ totp: true });
    const id = openTransaction(user.id);
    await expect(complete({ kind: 'code', code: '000000' }, id)).rejects.toMatchObject({ code: 'code_invalid' });
    expect(store.rejected[0]).toMatchObject({ userId: user.id, now: T0, throttle: deps.throttle, transaction: { idHash: hashToken(id), maxAttempts: POLICY.maxAttempts } });
    await complete({ kind: 'code', code: code() }, id);
    expect(store.accepted[0]).toMatchObject({ transaction: { idHash: hashToken(id), maxAttempts: POLICY.maxAttempts, answerHash: expect.stringMatching(/^k1\$/) } });
  });

  it('lets metrics observe the events of a counted write, and not of one that found the account locked', async () => {
    const { complete, store, observed } = setUp({ totp: true });
    await expect(complete({ kind: 'code', code: '000000' })).rejects.toMatchObject({ code: 'code_invalid' });
    expect(observed.map((e) => e.kind)).toEqual(['challenge_failed']);
    store.willReject({ status: 'locked', until: new Date(T0.getTime() + 1000) });
    await expect(complete({ kind: 'code', code: '000000' })).rejects.toMatchObject({ code: 'account_locked' });
    expect(observed).toHaveLength(1);
  });
});

/** `checkAnswer` called as the step-up check and the DDP sign-in call it: no transaction, the result as it is. */
function direct(factors: Factors & { passwordHash?: string }) {
  const setup = setUp(factors);
  const user = factors.passwordHash ? { ...setup.user, passwordHash: factors.passwordHash } : setup.user;
  const state = { ...setup.store.states.get(setup.user.id)!, user };
  const check = (answer: Answer, more: Partial<AnswerRequest> = {}) =>
    checkAnswer(setup.deps, {
      state,
      answer,
      target: { kind: 'none' },
      context: browser,
      operation: 'disable_totp',
      passwordAllowed: false,
      webauthnBinding: { purpose: 'step-up', boundTo: null },
      onAccept: () => ({}),
      ...more,
    });
  return { ...setup, state, check };
}

describe('checkAnswer: what it tells its caller', () => {
  it('calls a code from a user with no second factor a wrong authenticator code, with no attempts to count down', async () => {
    const { check } = direct({});
    await expect(check({ kind: 'code', code: '123456' })).resolves.toEqual({ kind: 'rejected', factor: 'totp', reason: 'invalid', attemptsLeft: null });
  });

  it('honours no backup code from a user without an authenticator, and no password unless the operation allows it', async () => {
    const { check, addBackupCode } = direct({ email: true, passwordHash: PASSWORD_HASH });
    addBackupCode('WXYZ2345');
    await expect(check({ kind: 'backup', code: 'WXYZ2345' })).resolves.toEqual({ kind: 'rejected', factor: 'backup', reason: 'invalid', attemptsLeft: null });
    const password: Answer = { kind: 'password', digest: passwordDigest(PASSWORD) };
    await expect(check(password)).resolves.toEqual({ kind: 'rejected', factor: 'password', reason: 'invalid', attemptsLeft: null });
    await expect(check(password, { passwordAllowed: true })).resolves.toMatchObject({ kind: 'accepted', factor: 'password' });
  });

  it('reads a webauthn answer as an assertion even from a user who also has an authenticator', async () => {
    const { check } = direct({ totp: true, keys: 1 });
    await expect(check({ kind: 'webauthn', response: { id: 'unknown key' } })).resolves.toMatchObject({ kind: 'rejected', factor: 'webauthn', reason: 'invalid' });
  });

  it('checks a code from a user with an authenticator and email codes against the authenticator first', async () => {
    const { check, code } = direct({ totp: true, email: true });
    await expect(check({ kind: 'code', code: code() })).resolves.toMatchObject({ kind: 'accepted', factor: 'totp' });
  });

  it('calls a replayed 8-digit authenticator code a replay even when it is also in backup-code shape', async () => {
    const { check, clock, state } = direct({ totp: true, digits: 8 });
    const params = { algorithm: 'SHA1' as const, digits: 8, periodSeconds: 30 };
    // A moment whose code has only the digits 2-9 (the backup-code alphabet's digits).
    while (!/^[2-9]{8}$/.test(generateTOTP(RFC_KEY, clock.now().getTime(), params))) clock.advance(30_000);
    const answer = generateTOTP(RFC_KEY, clock.now().getTime(), params);
    state.authenticator = { ...state.authenticator!, lastUsedStep: Math.floor(clock.now().getTime() / 30_000) };
    await expect(check({ kind: 'code', code: answer })).resolves.toMatchObject({ kind: 'rejected', factor: 'totp', reason: 'replayed' });
  });

  it('says the transaction is gone when either write found it used or expired meanwhile', async () => {
    const { check, store, code } = direct({ totp: true });
    store.willAccept({ status: 'transaction-gone' });
    await expect(check({ kind: 'code', code: code() })).resolves.toEqual({ kind: 'transaction-gone' });
    store.willReject({ status: 'transaction-gone' });
    await expect(check({ kind: 'code', code: '000000' })).resolves.toEqual({ kind: 'transaction-gone' });
  });

  it('tells the user of no lockout and no replay after a plain wrong answer', async () => {
    const { check, lockouts, replays } = direct({ totp: true });
    await check({ kind: 'code', code: '000000' });
    expect([lockouts, replays]).toEqual([[], []]);
  });
});

describe('checkAnswer: the failures-only rate limit is counted by the answer’s own write', () => {
  const charge = (): RateCharge => ({ rule: 'verify', key: 'verify:198.51.100.7', limit: 10, windowSeconds: 60 });
  const windowStart = new Date(T0.getTime() - 20_000);

  it('hands the window to the write (never the rule name or what was seen before) and what the write saw back to the façade', async () => {
    const { check, store, code } = direct({ totp: true });
    const context = { ...browser, rate: charge() };
    store.willAccept({ status: 'accepted', replacedAuthenticator: false, rate: { hits: 3, windowStart } });
    await check({ kind: 'code', code: code() }, { context });
    expect(store.accepted[0]!.rate).toEqual({ key: 'verify:198.51.100.7', limit: 10, windowSeconds: 60 });
    expect(context.rate.seen).toEqual({ hits: 3, windowStart });
    store.willReject({ status: 'counted', attempts: null, lockBegan: null, codeExhausted: false, rate: { hits: 4, windowStart } });
    await check({ kind: 'code', code: '000000' }, { context });
    expect(store.rejected[0]!.rate).toEqual({ key: 'verify:198.51.100.7', limit: 10, windowSeconds: 60 });
    expect(context.rate.seen).toEqual({ hits: 4, windowStart });
  });

  it('writes no window when the façade handed none over', async () => {
    const { check, store, code } = direct({ totp: true });
    await check({ kind: 'code', code: code() });
    await check({ kind: 'code', code: '000000' });
    expect([store.accepted[0]!.rate, store.rejected[0]!.rate]).toEqual([undefined, undefined]);
  });

  it('refuses a right answer past the limit with the time until the window resets, and keeps what the write saw for the headers', async () => {
    const { check, store, code } = direct({ totp: true });
    const context = { ...browser, rate: charge() };
    store.willAccept({ status: 'rate-limited', rate: { hits: 10, windowStart } });
    await expect(check({ kind: 'code', code: code() }, { context })).rejects.toMatchObject({
      code: 'rate_limited',
      details: { rule: 'verify', limit: 10, retryAfterSeconds: 40, resetAt: new Date(windowStart.getTime() + 60_000).toISOString() },
    });
    expect(context.rate.seen).toEqual({ hits: 10, windowStart });
  });

  it('refuses a wrong answer past the limit the same way', async () => {
    const { check, store } = direct({ totp: true });
    const context = { ...browser, rate: charge() };
    store.willReject({ status: 'rate-limited', rate: { hits: 10, windowStart } });
    await expect(check({ kind: 'code', code: '000000' }, { context })).rejects.toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: 40 } });
    expect(context.rate.seen).toEqual({ hits: 10, windowStart });
  });
});

describe('checkAnswer: which answers are typing slips, by kind', () => {
  it('treats an answer named as an authenticator code like any code: seven digits are a slip', async () => {
    const { check } = direct({ totp: true });
    await expect(check({ kind: 'totp', code: '1234567' })).rejects.toMatchObject({ code: 'code_malformed' });
  });

  it.each(['x12345', '12345x'])('counts only all-digit codes as digits: %s is a slip for a 6-digit authenticator', async (typed) => {
    const { check } = direct({ totp: true });
    await expect(check({ kind: 'code', code: typed })).rejects.toMatchObject({ code: 'code_malformed' });
  });

  it('takes no backup-shaped or email-shaped code as plausible while confirming a new authenticator', async () => {
    const { check, state, keyRing } = direct({ email: true });
    const enrolling = totpCredential(keyRing, state.user.id, { key: RFC_KEY, state: 'pending', activatedAt: null, params: { algorithm: 'SHA1', digits: 8, periodSeconds: 30 } });
    await expect(check({ kind: 'code', code: 'WXYZ2345' }, { authenticators: [enrolling] })).rejects.toMatchObject({ code: 'code_malformed', details: { expected: '8 digits' } });
    await expect(check({ kind: 'code', code: '123456' }, { authenticators: [enrolling] })).rejects.toMatchObject({ code: 'code_malformed', details: { expected: '8 digits' } });
  });
});

describe('checkAnswer: confirming a new authenticator', () => {
  it('takes its code whether the client named it a code or an authenticator code, and nothing else', async () => {
    const { check, state, clock, keyRing } = direct({ email: true });
    const enrolling = totpCredential(keyRing, state.user.id, { key: RFC_KEY, state: 'pending', activatedAt: null });
    const now = () => generateTOTP(RFC_KEY, clock.now().getTime());
    await expect(check({ kind: 'totp', code: now() }, { authenticators: [enrolling] })).resolves.toMatchObject({ kind: 'accepted', factor: 'totp' });
    clock.advance(30_000);
    await expect(check({ kind: 'code', code: now() }, { authenticators: [enrolling] })).resolves.toMatchObject({ kind: 'accepted', factor: 'totp' });
    await expect(check({ kind: 'email', code: '123456' }, { authenticators: [enrolling] })).resolves.toEqual({ kind: 'rejected', factor: 'totp', reason: 'invalid', attemptsLeft: null });
  });
});

describe('checkAnswer: an email code answers only a sign-in it was alive with', () => {
  it('does not complete a sign-in with a code that had expired before the sign-in began', async () => {
    const { complete, store, user, keyRing, clock, openTransaction } = setUp({ email: true });
    const state = store.states.get(user.id)!;
    const expired = { id: 'e1', codeHash: keyRing.hashCode('246810', `email-code:${user.id}`), attempts: 0, createdAt: T0, liveSince: T0, expiresAt: new Date(T0.getTime() + 600_000) };
    store.states.set(user.id, { ...state, emailCode: expired });
    clock.advance(20 * 60_000);
    await expect(complete({ kind: 'email', code: '246810' }, openTransaction(user.id))).rejects.toMatchObject({ code: 'code_invalid' });
    expect(store.accepted).toEqual([]);
  });
});
