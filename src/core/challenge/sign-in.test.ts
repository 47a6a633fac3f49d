import { describe, expect, it } from 'vitest';
import { browser, challengeHarness, POLICY } from '../../../test/core/challenge-harness.ts';
import { factorState, PASSWORD, PASSWORD_HASH, RFC_KEY, T0, testUser, totpCredential } from '../../../test/core/fixtures.ts';
import { SoftAuthenticator } from '../../../test/helpers/webauthn-authenticator.ts';
import { passwordDigest } from '../password.ts';
import { hashToken } from '../crypto/hash.ts';
import { backupCodeLookup, hashBackupCodes } from '../factors/backup-codes.ts';
import { generateTOTP } from '../otp/totp.ts';
import type { FactorState } from './factors.ts';
import type { Proof } from './proof.ts';
import { completeSignIn, signInWithAnswer } from './sign-in.ts';

/**
 * Completing a sign-in: the one place a pending login (or a new account's first code) becomes a session. Every
 * outcome of the atomic write is told to the client as its own typed error; a session exists only when the write
 * accepted the answer.
 */
function setUp(stateOf: (base: FactorState, keyRing: ReturnType<typeof challengeHarness>['keyRing']) => FactorState = (base, keyRing) => ({
  ...base,
  authenticator: totpCredential(keyRing, base.user.id, { key: RFC_KEY }),
})) {
  const harness = challengeHarness();
  const user = testUser({ emailTwoFactorEnabledAt: null });
  harness.store.states.set(user.id, stateOf(factorState(user), harness.keyRing));
  const code = (offsetSteps = 0) => generateTOTP(RFC_KEY, harness.clock.now().getTime() + offsetSteps * 30_000);
  const complete = (transactionId: string, proof: Proof | null, rememberDevice = false) =>
    completeSignIn(harness.deps, { transactionId, proof, rememberDevice }, browser);
  return { ...harness, user, code, complete };
}

/** The next read of a transaction sees it as it is; `change` then happens, as a parallel request's write would. */
function readThenChange(store: ReturnType<typeof challengeHarness>['store'], change: () => void) {
  const read = store.transaction.bind(store);
  store.transaction = async (idHash) => {
    const found = await read(idHash);
    change();
    store.transaction = read;
    return found;
  };
}

describe('completeSignIn with an authenticator code', () => {
  it('issues a session that answered a factor, in the same write that spends the step and consumes the transaction', async () => {
    const { complete, openTransaction, user, code, store } = setUp();
    const signedIn = await complete(openTransaction(user.id), { kind: 'code', code: code() });
    expect(signedIn).toMatchObject({ user: { id: user.id }, repeated: false, issued: { session: { userId: user.id, secondFactorAt: T0, ip: browser.ip } } });
    expect(signedIn.backupCodes).toBeUndefined();
    expect(signedIn.device).toBeUndefined();
    expect(store.accepted).toHaveLength(1);
    const write = store.accepted[0]!;
    expect(write).toMatchObject({ userId: user.id, claim: { kind: 'totp-step' }, resetThrottle: true, transaction: { maxAttempts: POLICY.maxAttempts } });
    expect(write.session!.tokenHash).toEqual(hashToken(signedIn.issued.token));
    expect(write.events.map((e) => [e.kind, e.details])).toEqual([
      ['challenge_passed', { method: 'totp', operation: 'login' }],
      ['login_succeeded', { secondFactor: true }],
    ]);
  });

  it('records everything one sign-in writes at the write\'s one instant, however the clock moves meanwhile', async () => {
    const { complete, openTransaction, user, code, store, clock } = setUp();
    const id = openTransaction(user.id);
    const answer = code();
    // A clock that moves on every reading, as a real one does between two calls.
    const read = clock.now.bind(clock);
    clock.now = () => {
      clock.advance(1);
      return read();
    };
    await complete(id, { kind: 'code', code: answer }, true);
    const write = store.accepted[0]!;
    expect(write.events.map((e) => e.kind)).toEqual(['challenge_passed', 'login_succeeded', 'device_trusted']);
    for (const event of write.events) expect(event.createdAt).toEqual(write.now);
  });

  it('remembers the device when asked, in the same write', async () => {
    const { complete, openTransaction, user, code, store } = setUp();
    const signedIn = await complete(openTransaction(user.id), { kind: 'code', code: code() }, true);
    expect(signedIn.device).toMatchObject({ device: { userId: user.id }, token: expect.any(String) });
    expect(store.accepted[0]!.device!.tokenHash).toEqual(hashToken(signedIn.device!.token));
    expect(store.accepted[0]!.events.map((e) => e.kind)).toEqual(['challenge_passed', 'login_succeeded', 'device_trusted']);
  });

  it('refuses a wrong code with the attempts left, and counts it', async () => {
    const { complete, openTransaction, user, store } = setUp();
    const id = openTransaction(user.id);
    await expect(complete(id, { kind: 'code', code: '000000' })).rejects.toMatchObject({ code: 'code_invalid', details: { attemptsLeft: POLICY.maxAttempts - 1 } });
    await expect(complete(id, { kind: 'code', code: '000001' })).rejects.toMatchObject({ code: 'code_invalid', details: { attemptsLeft: POLICY.maxAttempts - 2 } });
    expect(store.rejected.map((w) => w.countTowardLockout)).toEqual([true, true]);
  });

  it('refuses the same code in a second sign-in as a replay, which does not count toward the lockout (threat 14)', async () => {
    const { complete, openTransaction, user, code, store, replays } = setUp();
    await complete(openTransaction(user.id), { kind: 'code', code: code() });
    await expect(complete(openTransaction(user.id), { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'code_invalid' });
    expect(store.rejected[0]).toMatchObject({ countTowardLockout: false });
    expect(store.rejected[0]!.events.map((e) => [e.kind, e.details])).toEqual([
      ['challenge_failed', { method: 'totp', operation: 'login', replayed: true }],
      ['totp_replay_rejected', {}],
    ]);
    expect(replays).toEqual([{ userId: user.id, factor: 'totp' }]);
  });

  it('tells the user of a lockout the wrong answer began', async () => {
    const { complete, openTransaction, user, store, lockouts } = setUp();
    const until = new Date(T0.getTime() + 60_000);
    store.willReject({ status: 'counted', attempts: 1, lockBegan: until, codeExhausted: false });
    await expect(complete(openTransaction(user.id), { kind: 'code', code: '000000' })).rejects.toMatchObject({ code: 'code_invalid' });
    expect(lockouts).toEqual([{ userId: user.id, until }]);
  });
});

describe('completeSignIn: what changed since the password step', () => {
  it('refuses a session to a user disabled mid-login (the write found the account disabled)', async () => {
    const { complete, openTransaction, user, code, store } = setUp();
    store.willAccept({ status: 'user-disabled' });
    await expect(complete(openTransaction(user.id), { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'user_disabled' });
  });

  it('refuses a wrong guess that found no attempt left (a parallel burst past the cap): the transaction is locked, not answered', async () => {
    const { complete, openTransaction, user, store, lockouts } = setUp();
    const id = openTransaction(user.id);
    // The burst's other guesses used the last attempts between our read and our write.
    readThenChange(store, () => void (store.transactions.get(hashToken(id).toString('hex'))!.attempts = POLICY.maxAttempts));
    store.willReject({ status: 'transaction-gone' });
    await expect(complete(id, { kind: 'code', code: '000000' })).rejects.toMatchObject({ code: 'transaction_locked' });
    expect(lockouts).toEqual([]);
  });

  it('refuses a right answer whose transaction was used up by a parallel burst meanwhile', async () => {
    const { complete, openTransaction, user, store, code } = setUp();
    const id = openTransaction(user.id);
    readThenChange(store, () => void (store.transactions.get(hashToken(id).toString('hex'))!.burnedAt = T0));
    store.willAccept({ status: 'transaction-gone' });
    await expect(complete(id, { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'transaction_locked' });
  });

  it('says transaction_not_found when the transaction vanished meanwhile, and expired when it expired', async () => {
    const { complete, openTransaction, user, store, code } = setUp();
    const gone = openTransaction(user.id);
    store.willAccept({ status: 'transaction-gone' });
    const read = store.transaction.bind(store);
    store.transaction = async (idHash) => {
      const found = await read(idHash);
      store.transactions.delete(idHash.toString('hex'));
      return found;
    };
    await expect(complete(gone, { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'transaction_not_found' });
  });

  it('gives the parallel request that completed it with this very answer its result again', async () => {
    const { complete, openTransaction, user, store, code } = setUp();
    const id = openTransaction(user.id);
    const first = await complete(id, { kind: 'code', code: code() });
    // Our read saw the transaction open; the write found it consumed by that request.
    const consumed = store.transactions.get(hashToken(id).toString('hex'))!;
    const open = { ...consumed, consumedAt: null, answerHash: null, attempts: 0 };
    const read = store.transaction.bind(store);
    store.transaction = async (idHash) => ({ ...(await read(idHash))!, transaction: open });
    store.willAccept({ status: 'transaction-gone' });
    const again = await complete(id, { kind: 'code', code: code() });
    expect(again).toMatchObject({ repeated: true, issued: { token: first.issued.token } });
  });

  it('refuses while the account is locked, before checking anything', async () => {
    const { complete, openTransaction, user, store, code } = setUp();
    const state = store.states.get(user.id)!;
    const until = new Date(T0.getTime() + 30_000);
    store.states.set(user.id, { ...state, throttle: { failures: 5, lockedUntil: until } });
    await expect(complete(openTransaction(user.id), { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'account_locked', details: { retryAfterSeconds: 30 } });
    expect([store.accepted, store.rejected]).toEqual([[], []]);
    // A lock that has ended is no lock.
    store.states.set(user.id, { ...state, throttle: { failures: 5, lockedUntil: T0 } });
    await expect(complete(openTransaction(user.id), { kind: 'code', code: code() })).resolves.toMatchObject({ repeated: false });
  });

  it('tells a lock the write met', async () => {
    const { complete, openTransaction, user, store, code } = setUp();
    store.willAccept({ status: 'locked', until: new Date(T0.getTime() + 10_000) });
    await expect(complete(openTransaction(user.id), { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'account_locked', details: { retryAfterSeconds: 10 } });
  });

  it('burns a pending login whose user no longer has any factor (removed meanwhile)', async () => {
    const { complete, openTransaction, user, store, burned } = setUp((base) => base);
    const id = openTransaction(user.id);
    await expect(complete(id, { kind: 'code', code: '123456' })).rejects.toMatchObject({ code: 'transaction_not_found' });
    expect(burned).toEqual([hashToken(id).toString('hex')]);
    expect([store.accepted, store.rejected]).toEqual([[], []]);
  });

  it('refuses a transaction that is used, burned, used up or expired', async () => {
    const { complete, openTransaction, user, code, clock } = setUp();
    await expect(complete(openTransaction(user.id, { burnedAt: T0 }), { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'transaction_locked' });
    await expect(complete(openTransaction(user.id, { attempts: POLICY.maxAttempts }), { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'transaction_locked' });
    await expect(complete(openTransaction(user.id, { expiresAt: clock.now() }), { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'transaction_expired' });
    await expect(complete('no such transaction', { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'transaction_not_found' });
  });

  it('asks for an answer when none is given', async () => {
    const { complete, openTransaction, user } = setUp();
    await expect(complete(openTransaction(user.id), null)).rejects.toMatchObject({ code: 'code_required' });
    await expect(complete(openTransaction(user.id), { kind: 'recent', sessionId: 's' })).rejects.toMatchObject({ code: 'code_required' });
  });

  it('signs a new account in only once its address is verified, when REQUIRE_EMAIL_CONFIRMATION is on', async () => {
    const { complete, openTransaction, user, store, code, deps } = setUp();
    deps.requireEmailConfirmation = true;
    const state = store.states.get(user.id)!;
    store.states.set(user.id, { ...state, user: { ...user, emailVerifiedAt: null } });
    await expect(complete(openTransaction(user.id), { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'email_not_confirmed' });
    store.states.set(user.id, state);
    await expect(complete(openTransaction(user.id), { kind: 'code', code: code() })).resolves.toMatchObject({ repeated: false });
  });
});

describe('completeSignIn: a lost answer repeated', () => {
  it('gives the same request the same session again within the retry window, and nothing else', async () => {
    const { complete, openTransaction, user, code, clock } = setUp();
    const id = openTransaction(user.id);
    const answer = code();
    const first = await complete(id, { kind: 'code', code: answer });
    const again = await complete(id, { kind: 'code', code: answer });
    expect(again).toMatchObject({ repeated: true, user: { id: user.id }, issued: { token: first.issued.token, session: { id: first.issued.session.id } } });
    expect(again.backupCodes).toBeUndefined();
    await expect(complete(id, { kind: 'code', code: '000000' })).rejects.toMatchObject({ code: 'transaction_used' });
    clock.advance(POLICY.retryWindowSeconds * 1000 - 1);
    await expect(complete(id, { kind: 'code', code: answer })).resolves.toMatchObject({ repeated: true });
    clock.advance(1);
    await expect(complete(id, { kind: 'code', code: answer })).rejects.toMatchObject({ code: 'transaction_used' });
  });
});

describe('completeSignIn: a new authenticator confirmed by its first code', () => {
  function enrolling(purpose: 'register' | 'enroll', withEmail = false) {
    const setup = setUp((base, keyRing) => ({
      ...base,
      user: { ...base.user, emailTwoFactorEnabledAt: withEmail ? T0 : null },
      unconfirmed: totpCredential(keyRing, base.user.id, { key: RFC_KEY, state: 'pending', activatedAt: null }),
    }));
    const credential = setup.store.states.get(setup.user.id)!.unconfirmed!;
    const id = setup.openTransaction(setup.user.id, { purpose, credentialId: credential.id });
    return { ...setup, id, credential };
  }

  it('activates the authenticator with fresh backup codes, shown once, in the same write', async () => {
    const { complete, id, code, store, credential, factorChanges, user, keyRing } = enrolling('register');
    const signedIn = await complete(id, { kind: 'code', code: code() });
    expect(signedIn.backupCodes).toHaveLength(12);
    expect(store.accepted[0]!.activate).toEqual({ credentialId: credential.id, backupCodeHashes: expect.any(Array) });
    expect(store.accepted[0]!.activate!.backupCodeHashes).toEqual(hashBackupCodes(keyRing, user.id, signedIn.backupCodes!.map((c) => c.replace('-', ''))));
    expect(store.accepted[0]!.events.map((e) => e.kind)).toEqual(['challenge_passed', 'login_succeeded', 'factor_enabled']);
    expect(factorChanges).toEqual([{ userId: user.id, factor: 'totp', change: 'enabled', audited: true }]);
    expect(signedIn.issued.session.secondFactorAt).toEqual(T0);
  });

  it("gives a signed-in user's enrolment a session that did not answer a factor (it proves only the new authenticator)", async () => {
    const { complete, id, code } = enrolling('enroll');
    const signedIn = await complete(id, { kind: 'code', code: code() });
    expect(signedIn.issued.session.secondFactorAt).toBeNull();
  });

  it('can be completed only by a code of the authenticator being enrolled: no email code, backup code or other factor activates it', async () => {
    const { complete, id, store, user, keyRing } = enrolling('register', true);
    store.backupCodes.push({ userId: user.id, hash: backupCodeLookup(keyRing, user.id, 'ABCDEFGH')[0]!, id: 'b1', usedAt: null });
    for (const proof of [
      { kind: 'email', code: '123456' },
      { kind: 'backup', code: 'ABCDEFGH' },
      { kind: 'code', code: 'ABCDEFGH' },
      { kind: 'password', digest: 'a'.repeat(64) },
      { kind: 'webauthn', response: { id: 'key' } },
    ] as Proof[]) {
      await expect(complete(id, proof), proof.kind).rejects.toMatchObject({ code: proof.kind === 'webauthn' ? 'code_invalid' : expect.stringMatching(/^code_(invalid|malformed)$/) });
    }
    expect(store.accepted).toEqual([]);
  });

  it('refuses a code of the user’s active authenticator for a new one', async () => {
    const setup = setUp((base, keyRing) => ({
      ...base,
      authenticator: totpCredential(keyRing, base.user.id, { key: RFC_KEY }),
      unconfirmed: totpCredential(keyRing, base.user.id, { key: new Uint8Array(20).fill(9), state: 'pending', activatedAt: null }),
    }));
    const credential = setup.store.states.get(setup.user.id)!.unconfirmed!;
    const id = setup.openTransaction(setup.user.id, { purpose: 'enroll', credentialId: credential.id });
    await expect(setup.complete(id, { kind: 'code', code: setup.code() })).rejects.toMatchObject({ code: 'code_invalid' });
  });

  it('burns the transaction when the authenticator it was for was replaced meanwhile', async () => {
    const { complete, id, store, user, keyRing, burned, code } = enrolling('register');
    const state = store.states.get(user.id)!;
    store.states.set(user.id, { ...state, unconfirmed: totpCredential(keyRing, user.id, { key: RFC_KEY, state: 'pending' }) });
    await expect(complete(id, { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'transaction_not_found' });
    expect(burned).toHaveLength(1);
  });

  it('burns the transaction when the write finds the authenticator no longer waiting', async () => {
    const { complete, id, store, burned, code } = enrolling('register');
    store.willAccept({ status: 'activation-gone' });
    await expect(complete(id, { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'transaction_not_found' });
    expect(burned).toEqual([hashToken(id).toString('hex')]);
  });

  it('shows the same backup codes again to a repeated request', async () => {
    const { complete, id, code } = enrolling('register');
    const first = await complete(id, { kind: 'code', code: code() });
    const again = await complete(id, { kind: 'code', code: code() });
    expect(again).toMatchObject({ repeated: true, backupCodes: first.backupCodes });
  });
});

describe('completeSignIn with a backup code', () => {
  it('signs in with an unused backup code of this user, once', async () => {
    const { complete, openTransaction, user, store, keyRing } = setUp();
    store.backupCodes.push({ userId: user.id, hash: backupCodeLookup(keyRing, user.id, 'WXYZ2345')[0]!, id: 'b1', usedAt: null });
    await expect(complete(openTransaction(user.id), { kind: 'code', code: 'WXYZ2345' })).resolves.toMatchObject({ repeated: false });
    expect(store.accepted[0]!.claim).toEqual({ kind: 'backup-code', id: 'b1' });
    await expect(complete(openTransaction(user.id), { kind: 'backup', code: 'WXYZ2345' })).rejects.toMatchObject({ code: 'code_invalid' });
    expect(store.rejected[0]).toMatchObject({ countTowardLockout: false });
  });
});

describe('signInWithAnswer (DDP: the answer comes with the password)', () => {
  it('writes a session that answered a factor with the right code', async () => {
    const { deps, store, user, code } = setUp();
    const issued = await signInWithAnswer(deps, store.states.get(user.id)!, { kind: 'code', code: code() }, browser);
    expect(issued.session).toMatchObject({ userId: user.id, secondFactorAt: T0 });
    expect(store.accepted[0]!.session!.tokenHash).toEqual(hashToken(issued.token));
    expect(store.accepted[0]!.transaction).toBeUndefined();
  });

  it('refuses a wrong code naming the factors, a used-up email code, a lock and a disabled user', async () => {
    const { deps, store, user, code } = setUp();
    const state = store.states.get(user.id)!;
    await expect(signInWithAnswer(deps, state, { kind: 'code', code: '000000' }, browser)).rejects.toMatchObject({
      code: 'second_factor_invalid',
      details: { method: 'totp', availableMethods: ['totp'] },
    });
    store.willReject({ status: 'counted', attempts: null, lockBegan: null, codeExhausted: true });
    await expect(signInWithAnswer(deps, state, { kind: 'code', code: '000000' }, browser)).rejects.toMatchObject({ code: 'second_factor_max_attempts' });
    store.willAccept({ status: 'locked', until: new Date(T0.getTime() + 5000) });
    await expect(signInWithAnswer(deps, state, { kind: 'code', code: code() }, browser)).rejects.toMatchObject({ code: 'account_locked' });
    store.willAccept({ status: 'user-disabled' });
    await expect(signInWithAnswer(deps, state, { kind: 'code', code: code(1) }, browser)).rejects.toMatchObject({ code: 'user_disabled' });
    store.willAccept({ status: 'claim-taken' });
    await expect(signInWithAnswer(deps, state, { kind: 'code', code: code(-1) }, browser)).rejects.toMatchObject({ code: 'second_factor_invalid' });
  });
});

describe('completeSignIn: what the write records', () => {
  it('audits a confirmation as an enrolment: a session that answered no factor, and the factor enabled', async () => {
    const setup = setUp((base, keyRing) => ({ ...base, unconfirmed: totpCredential(keyRing, base.user.id, { key: RFC_KEY, state: 'pending', activatedAt: null }) }));
    const credential = setup.store.states.get(setup.user.id)!.unconfirmed!;
    const id = setup.openTransaction(setup.user.id, { purpose: 'enroll', credentialId: credential.id });
    await setup.complete(id, { kind: 'code', code: setup.code() });
    expect(setup.store.accepted[0]!.events.map((e) => [e.kind, e.details])).toEqual([
      ['challenge_passed', { method: 'totp', operation: 'enroll' }],
      ['login_succeeded', { secondFactor: false }],
      ['factor_enabled', { factor: 'totp' }],
    ]);
  });

  it('audits a remembered device with its id', async () => {
    const { complete, openTransaction, user, code, store } = setUp();
    const signedIn = await complete(openTransaction(user.id), { kind: 'code', code: code() }, true);
    expect(store.accepted[0]!.events.map((e) => [e.kind, e.details])).toEqual([
      ['challenge_passed', { method: 'totp', operation: 'login' }],
      ['login_succeeded', { secondFactor: true }],
      ['device_trusted', { deviceId: signedIn.device!.device.id }],
    ]);
  });

  it('never takes the password as the second factor of a login, even the right one', async () => {
    const { complete, openTransaction, user, store } = setUp((base, keyRing) => ({
      ...base,
      user: { ...base.user, passwordHash: PASSWORD_HASH },
      authenticator: totpCredential(keyRing, base.user.id, { key: RFC_KEY }),
    }));
    await expect(complete(openTransaction(user.id), { kind: 'password', digest: passwordDigest(PASSWORD) })).rejects.toMatchObject({ code: 'code_invalid' });
    expect(store.accepted).toEqual([]);
  });

  it('never confirms an authenticator of another user, even one the transaction names', async () => {
    const setup = setUp((base, keyRing) => ({ ...base, unconfirmed: totpCredential(keyRing, 'someone else', { key: RFC_KEY, state: 'pending', activatedAt: null }) }));
    const credential = setup.store.states.get(setup.user.id)!.unconfirmed!;
    const id = setup.openTransaction(setup.user.id, { purpose: 'register', credentialId: credential.id });
    await expect(setup.complete(id, { kind: 'code', code: setup.code() })).rejects.toMatchObject({ code: 'transaction_not_found' });
    expect(setup.burned).toEqual([hashToken(id).toString('hex')]);
  });

  it('says transaction_locked when the write found the transaction gone but it is still there, unused and live', async () => {
    const { complete, openTransaction, user, code, store } = setUp();
    store.willAccept({ status: 'transaction-gone' });
    await expect(complete(openTransaction(user.id), { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'transaction_locked' });
  });
});

describe('completeSignIn: an armed authenticator (Backendless enable2FA) activated by its first sign-in', () => {
  const armedSetUp = (withActive: boolean) =>
    setUp((base, keyRing) => ({
      ...base,
      authenticator: withActive ? totpCredential(keyRing, base.user.id, { key: new Uint8Array(20).fill(7) }) : null,
      unconfirmed: totpCredential(keyRing, base.user.id, { key: RFC_KEY, state: 'armed', activatedAt: null }),
    }));

  it('activates it in the same write, shows its backup codes, and tells the user the factor was enabled', async () => {
    const { complete, openTransaction, user, code, store, factorChanges } = armedSetUp(false);
    const armed = store.states.get(user.id)!.unconfirmed!;
    const signedIn = await complete(openTransaction(user.id), { kind: 'code', code: code() });
    expect(store.accepted[0]!.activate).toMatchObject({ credentialId: armed.id });
    expect(signedIn.backupCodes).toHaveLength(12);
    expect(factorChanges).toEqual([{ userId: user.id, factor: 'totp', change: 'enabled', audited: true }]);
  });

  it('tells the user the authenticator was replaced when the write says it replaced the active one', async () => {
    const { complete, openTransaction, user, code, store, factorChanges } = armedSetUp(true);
    store.willAccept({ status: 'accepted', replacedAuthenticator: true });
    await complete(openTransaction(user.id), { kind: 'code', code: code() });
    expect(factorChanges).toEqual([{ userId: user.id, factor: 'totp', change: 'replaced', audited: true }]);
  });

  it('tells nothing of a factor change after a plain sign-in with the active authenticator', async () => {
    const { complete, openTransaction, user, code, factorChanges, store } = setUp();
    await complete(openTransaction(user.id), { kind: 'code', code: code() });
    expect(store.accepted[0]!.activate).toBeUndefined();
    expect(factorChanges).toEqual([]);
  });

  it('shows the same backup codes again when the lost answer is repeated', async () => {
    const { complete, openTransaction, user, code, store } = armedSetUp(false);
    const id = openTransaction(user.id);
    const answer = code();
    const first = await complete(id, { kind: 'code', code: answer });
    // What the write did: the armed authenticator is the active one, activated when the transaction was consumed.
    const state = store.states.get(user.id)!;
    store.states.set(user.id, { ...state, authenticator: { ...state.unconfirmed!, state: 'active', activatedAt: T0 }, unconfirmed: null });
    const again = await complete(id, { kind: 'code', code: answer });
    expect(again).toMatchObject({ repeated: true, backupCodes: first.backupCodes });
  });
});

describe('completeSignIn: a lost answer repeated, what comes back', () => {
  it('gives the remembered device back only to a repeat that asks for it, and only the device this sign-in made', async () => {
    const { complete, openTransaction, user, code, store, deps } = setUp();
    deps.devices.find = async (tokenHash, userId) => {
      const written = store.accepted.find((w) => w.device?.tokenHash.equals(tokenHash));
      return written && userId === user.id ? written.device!.device : null;
    };
    const id = openTransaction(user.id);
    const answer = code();
    const first = await complete(id, { kind: 'code', code: answer }, true);
    const again = await complete(id, { kind: 'code', code: answer }, true);
    expect(again.device).toEqual({ device: first.device!.device, token: first.device!.token });
    const without = await complete(id, { kind: 'code', code: answer }, false);
    expect(without.device).toBeUndefined();
    // Forgotten since (from the account page): the repeat gets its session, and no device.
    deps.devices.find = async () => null;
    const forgotten = await complete(id, { kind: 'code', code: answer }, true);
    expect(forgotten).toMatchObject({ repeated: true });
    expect(forgotten.device).toBeUndefined();
  });

  it('gives no session back when the session it made is gone or is not the user’s', async () => {
    const { complete, openTransaction, user, code, store, deps } = setUp();
    const id = openTransaction(user.id);
    const answer = code();
    await complete(id, { kind: 'code', code: answer });
    const find = deps.sessions.findByTokenHash;
    deps.sessions.findByTokenHash = async (hash) => {
      const found = await find(hash);
      return found && { ...found, session: { ...found.session, userId: 'someone else' } };
    };
    await expect(complete(id, { kind: 'code', code: answer })).rejects.toMatchObject({ code: 'transaction_used' });
    deps.sessions.findByTokenHash = find;
    store.sessions.length = 0;
    await expect(complete(id, { kind: 'code', code: answer })).rejects.toMatchObject({ code: 'transaction_used' });
  });
});

describe('signing in with a passkey (a real assertion from a software authenticator)', () => {
  function withKey() {
    const setup = setUp((base) => ({ ...base, authenticator: null, webauthnKeys: 1 }));
    const soft = new SoftAuthenticator({ origin: 'http://localhost:8080', rpId: 'localhost' });
    const registration = soft.register({
      challenge: 'cmVnaXN0ZXI',
      rp: { id: 'localhost', name: 'twofold' },
      user: { id: 'dXNlcg', name: setup.user.email, displayName: setup.user.email },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    setup.keys.set(setup.user.id, [
      { id: 'key-1', userId: setup.user.id, credentialId: registration.id, publicKey: soft.cosePublicKeyOf(registration.id), counter: 0, transports: [], deviceType: 'singleDevice', backedUp: false, name: 'key', createdAt: T0, lastUsedAt: null },
    ]);
    const asked: unknown[] = [];
    setup.deps.webauthn.isChallengeLive = async (_hash, binding) => {
      asked.push(binding);
      return true;
    };
    const assertion = () => ({ kind: 'webauthn' as const, response: soft.authenticate({ challenge: 'c2lnbi1pbg', rpId: 'localhost', allowCredentials: [] }) as never });
    return { ...setup, asked, assertion };
  }

  it('completes a pending login only with a challenge issued for that very transaction', async () => {
    const { complete, openTransaction, user, asked, assertion, store } = withKey();
    const id = openTransaction(user.id);
    await expect(complete(id, assertion())).resolves.toMatchObject({ repeated: false });
    expect(asked).toEqual([{ purpose: 'login', boundTo: hashToken(id), userId: user.id }]);
    expect(store.accepted[0]!.claim).toMatchObject({ kind: 'webauthn', binding: { purpose: 'login', boundTo: hashToken(id) } });
  });

  it('signs a DDP client in with a challenge issued for a login (no transaction to bind it to)', async () => {
    const { deps, store, user, asked, assertion } = withKey();
    await signInWithAnswer(deps, store.states.get(user.id)!, assertion(), browser);
    expect(asked).toEqual([{ purpose: 'login', boundTo: null, userId: user.id }]);
  });
});

describe('signInWithAnswer: what it records and refuses', () => {
  it('audits a login that answered a factor', async () => {
    const { deps, store, user, code } = setUp();
    await signInWithAnswer(deps, store.states.get(user.id)!, { kind: 'code', code: code() }, browser);
    expect(store.accepted[0]!.events.map((e) => [e.kind, e.details])).toEqual([
      ['challenge_passed', { method: 'totp', operation: 'login' }],
      ['login_succeeded', { secondFactor: true }],
    ]);
  });

  it('never takes the password as the answer', async () => {
    const { deps, store, user } = setUp((base, keyRing) => ({ ...base, user: { ...base.user, passwordHash: PASSWORD_HASH }, authenticator: totpCredential(keyRing, base.user.id) }));
    await expect(signInWithAnswer(deps, store.states.get(user.id)!, { kind: 'password', digest: passwordDigest(PASSWORD) }, browser)).rejects.toMatchObject({ code: 'second_factor_invalid' });
    expect(store.accepted).toEqual([]);
  });

  it('names the factor the user has in the refusal: email for an email-only user, the authenticator when there is none', async () => {
    const emailOnly = setUp((base) => ({ ...base, user: { ...base.user, emailTwoFactorEnabledAt: T0 }, authenticator: null }));
    await expect(signInWithAnswer(emailOnly.deps, emailOnly.store.states.get(emailOnly.user.id)!, { kind: 'code', code: '000000' }, browser)).rejects.toMatchObject({
      details: { method: 'email', availableMethods: ['email'] },
    });
    const none = setUp((base) => ({ ...base, authenticator: null }));
    await expect(signInWithAnswer(none.deps, none.store.states.get(none.user.id)!, { kind: 'code', code: '000000' }, browser)).rejects.toMatchObject({
      details: { method: 'totp', availableMethods: [] },
    });
  });
});
