import type { AccountEvents } from '../audit/account-events.ts';
import { securityEvent } from '../audit/audit-log.ts';
import type { SecurityEvent } from '../audit/events.ts';
import { hashToken } from '../crypto/hash.ts';
import { generateToken } from '../crypto/random.ts';
import { newTrustedDevice, type IssuedDevice } from '../devices/trusted-devices.ts';
import type { TrustedDeviceStore } from '../devices/store.ts';
import { TwofoldError } from '../errors.ts';
import type { TotpCredential } from '../factors/totp-store.ts';
import type { IssuedSession, RequestContext } from '../sessions/session.ts';
import { answerAmr } from '../sessions/amr.ts';
import { newSession, sessionOf } from '../sessions/sessions.ts';
import type { SessionStore } from '../sessions/store.ts';
import { assertLive, transactionIdHash } from '../transactions/login-transactions.ts';
import type { LoginTransaction, LoginTransactionStore } from '../transactions/store.ts';
import type { UserRecord } from '../users/user.ts';
import { checkAnswer, type Answer, type AnswerResult } from './answer.ts';
import { availableMethods, type FactorState } from './factors.ts';
import type { Proof } from './proof.ts';
import { accountLocked, type ChallengeDeps } from './require.ts';
import { answerHash, derivedBackupCodes, derivedDeviceToken, derivedSessionToken, sameAnswer } from './retry.ts';

export interface SignInDeps extends ChallengeDeps {
  transactions: LoginTransactionStore;
  sessions: SessionStore;
  devices: TrustedDeviceStore;
  events: AccountEvents;
  /** Wrong answers a transaction survives. */
  maxAttempts: number;
  sessionTtlSeconds: number;
  trustedDeviceTtlSeconds: number;
  /** How long after completing a transaction the same request gets the same result again (a lost answer). */
  retryWindowSeconds: number;
  /** REQUIRE_EMAIL_CONFIRMATION: a new account's first code signs it in only once its address is verified. */
  requireEmailConfirmation: boolean;
}

/** A completed sign-in. `repeated`: the same request completed it earlier and this is its result again. */
export interface SignedIn {
  user: UserRecord;
  issued: IssuedSession;
  /** Set when this answer confirmed a new authenticator: its backup codes, shown now. */
  backupCodes?: string[];
  /** Set when the caller asked to remember this device: its token, shown now. */
  device?: IssuedDevice;
  repeated: boolean;
}

export interface CompleteInput {
  transactionId: unknown;
  proof: Proof | null;
  rememberDevice: boolean;
}

/**
 * Finishes a sign-in transaction (a login's second factor, or a new account's first authenticator code).
 * The answer is checked in this process and everything it does (the attempt, the spent step or code, the
 * consumed transaction, the session, the events, the remembered device) is one atomic write.
 */
export async function completeSignIn(deps: SignInDeps, input: CompleteInput, context: RequestContext): Promise<SignedIn> {
  const idHash = transactionIdHash(input.transactionId);
  const found = await deps.store.transaction(idHash, deps.clock.now());
  if (!found) throw new TwofoldError('transaction_not_found');
  const { transaction, state } = found;
  if (!input.proof || input.proof.kind === 'recent') throw new TwofoldError('code_required');
  const answer = input.proof;
  if (transaction.consumedAt) return repeated(deps, { idHash, transaction, state, answer, rememberDevice: input.rememberDevice });
  assertLive(transaction, deps.clock.now(), deps.maxAttempts);
  // A login transaction exists only past the password step, which checked this; a registration's did not. Its
  // authenticator waits as it is (an armed one activates at the first sign-in after the address is verified).
  if (deps.requireEmailConfirmation && !state.user.emailVerifiedAt) throw new TwofoldError('email_not_confirmed');
  if (state.throttle.lockedUntil && state.throttle.lockedUntil > deps.clock.now()) throw accountLocked(state.throttle.lockedUntil, deps.clock.now());

  const enrolment = enrolmentCredential(transaction, state);
  if (enrolment === null || (transaction.purpose === 'login' && availableMethods(state).length === 0)) {
    // The factor this transaction was for was replaced or removed meanwhile.
    await deps.transactions.burn(idHash, deps.clock.now());
    throw new TwofoldError('transaction_not_found');
  }
  const hash = answerHash(deps.keyRing, idHash, answer)!;
  const token = derivedSessionToken(deps.keyRing, hash);
  let issued: { session: ReturnType<typeof newSession>; backupCodes?: string[]; device?: IssuedDevice } | undefined;
  const result = await checkAnswer(deps, {
    state,
    answer,
    target: { kind: 'transaction', idHash, transaction, maxAttempts: deps.maxAttempts, answerHash: hash },
    context,
    operation: transaction.purpose === 'login' ? 'login' : 'enroll',
    ...(enrolment ? { authenticators: [enrolment] } : {}),
    passwordAllowed: false,
    webauthnBinding: { purpose: 'login', boundTo: idHash },
    onAccept(verdict, now) {
      const activates = enrolment ?? (verdict.credential?.state === 'armed' ? verdict.credential : null);
      // A signed-in user confirming a new authenticator proves only that: the session it gets is not one that answered a factor.
      const proved = transaction.purpose !== 'enroll' ? answerAmr(verdict.factor, verdict.claim) : null;
      const session = newSession({ clock: deps.clock, ttlSeconds: deps.sessionTtlSeconds }, state.user, context, token, proved);
      const backup = activates ? derivedBackupCodes(deps.keyRing, hash, state.user.id) : null;
      const device = input.rememberDevice ? newTrustedDevice({ clock: deps.clock, ttlSeconds: deps.trustedDeviceTtlSeconds }, state.user.id, context, derivedDeviceToken(deps.keyRing, hash)) : null;
      issued = { session, ...(backup ? { backupCodes: backup.shown } : {}), ...(device ? { device } : {}) };
      return {
        session,
        ...(activates ? { activate: { credentialId: activates.id, backupCodeHashes: backup!.hashes } } : {}),
        ...(device ? { device: { device: device.device, tokenHash: hashToken(device.token) } } : {}),
        events: signInEvents(state.user, context, session.secondFactorAt !== null, now, activates, device),
      };
    },
  });
  if (result.kind === 'accepted' && issued) {
    if (result.credential?.state === 'armed' || enrolment) {
      await deps.events.factorChanged(state.user, 'totp', result.replacedAuthenticator ? 'replaced' : 'enabled', context, issued.session.id, { audited: true });
    }
    return { user: state.user, issued: { session: sessionOf(issued.session), token }, ...pick(issued), repeated: false };
  }
  return refused(deps, result, { idHash, transaction, state, answer, rememberDevice: input.rememberDevice });
}

/**
 * The credential an enrolment transaction confirms (undefined for a login transaction), or null when it is
 * no longer waiting for its first code.
 */
function enrolmentCredential(transaction: LoginTransaction, state: FactorState): TotpCredential | undefined | null {
  if (transaction.purpose === 'login') return undefined;
  const credential = state.unconfirmed;
  return credential && credential.id === transaction.credentialId && credential.userId === state.user.id ? credential : null;
}

function signInEvents(user: UserRecord, context: RequestContext, secondFactor: boolean, at: Date, activated: TotpCredential | null, device: IssuedDevice | null): SecurityEvent[] {
  return [
    securityEvent('login_succeeded', user.id, context, { secondFactor }, at),
    ...(activated ? [securityEvent('factor_enabled', user.id, context, { factor: 'totp' }, at)] : []),
    ...(device ? [securityEvent('device_trusted', user.id, context, { deviceId: device.device.id }, at)] : []),
  ];
}

interface Attempt {
  idHash: Buffer;
  transaction: LoginTransaction;
  state: FactorState;
  answer: Answer;
  rememberDevice: boolean;
}

/** A refused or lost race: a parallel request may have completed the same transaction with this very answer. */
async function refused(deps: SignInDeps, result: AnswerResult, attempt: Attempt): Promise<SignedIn> {
  const now = deps.clock.now();
  switch (result.kind) {
    case 'locked':
      throw accountLocked(result.until, now);
    case 'activation-gone':
      await deps.transactions.burn(attempt.idHash, now);
      throw new TwofoldError('transaction_not_found');
    case 'rejected':
      throw new TwofoldError(result.factor === 'webauthn' ? 'webauthn_invalid' : 'code_invalid', { attemptsLeft: result.attemptsLeft ?? 0 });
    case 'disabled':
      throw new TwofoldError('user_disabled');
    default: {
      // Used, closed or expired since we read it: by a parallel request with this very answer, perhaps.
      const transaction = await deps.transactions.find(attempt.idHash);
      if (!transaction) throw new TwofoldError('transaction_not_found');
      if (transaction.consumedAt) return repeated(deps, { ...attempt, transaction });
      assertLive(transaction, now, deps.maxAttempts);
      throw new TwofoldError('transaction_locked');
    }
  }
}

/**
 * The same request as the one that completed the transaction, within the retry window: the same session,
 * device and backup codes again, derived from the stored answer hash. Anything else is `transaction_used`.
 */
async function repeated(deps: SignInDeps, attempt: Attempt): Promise<SignedIn> {
  const { transaction, idHash, answer } = attempt;
  const stored = transaction.answerHash;
  const now = deps.clock.now();
  const fresh = transaction.consumedAt && now.getTime() - transaction.consumedAt.getTime() < deps.retryWindowSeconds * 1000;
  if (!stored || !fresh || !sameAnswer(deps.keyRing, stored, idHash, answer)) throw new TwofoldError('transaction_used');
  let token: string;
  try {
    token = derivedSessionToken(deps.keyRing, stored);
  } catch {
    throw new TwofoldError('transaction_used');
  }
  const found = await deps.sessions.findByTokenHash(hashToken(token));
  if (!found || found.session.userId !== transaction.userId) throw new TwofoldError('transaction_used');
  const result: SignedIn = { user: found.user, issued: { session: found.session, token }, repeated: true };
  if (transaction.purpose !== 'login' || attempt.state.authenticator?.activatedAt?.getTime() === transaction.consumedAt?.getTime()) {
    const backup = derivedBackupCodes(deps.keyRing, stored, transaction.userId);
    result.backupCodes = backup.shown;
  }
  if (attempt.rememberDevice) {
    const deviceToken = derivedDeviceToken(deps.keyRing, stored);
    const device = await deps.devices.find(hashToken(deviceToken), transaction.userId, now);
    if (device) result.device = { device, token: deviceToken };
  }
  return result;
}

const pick = (issued: { backupCodes?: string[]; device?: IssuedDevice }) => ({
  ...(issued.backupCodes ? { backupCodes: issued.backupCodes } : {}),
  ...(issued.device ? { device: issued.device } : {}),
});

/**
 * A sign-in that carries its answer along (DDP `{totp: {login, code}}`): checked, and on success the session
 * is written in the same atomic statement. There is no transaction, so no retry to recognise.
 */
export async function signInWithAnswer(deps: SignInDeps, state: FactorState, answer: Answer, context: RequestContext): Promise<IssuedSession> {
  const token = generateToken();
  let row: ReturnType<typeof newSession> | undefined;
  const result = await checkAnswer(deps, {
    state,
    answer,
    target: { kind: 'none' },
    context,
    operation: 'login',
    passwordAllowed: false,
    webauthnBinding: { purpose: 'login', boundTo: null },
    // An armed authenticator stays armed here: a DDP sign-in has nowhere to show the backup codes activation makes.
    onAccept(verdict, now) {
      row = newSession({ clock: deps.clock, ttlSeconds: deps.sessionTtlSeconds }, state.user, context, token, answerAmr(verdict.factor, verdict.claim));
      return { session: row, events: signInEvents(state.user, context, true, now, null, null) };
    },
  });
  const available = availableMethods(state);
  if (result.kind === 'locked') throw accountLocked(result.until, deps.clock.now());
  if (result.kind === 'disabled') throw new TwofoldError('user_disabled');
  if (result.kind !== 'accepted' || !row) {
    const reason = result.kind === 'rejected' && result.reason === 'exhausted' ? 'second_factor_max_attempts' : 'second_factor_invalid';
    throw new TwofoldError(reason, { method: available[0] ?? 'totp', availableMethods: available });
  }
  return { session: sessionOf(row), token };
}
