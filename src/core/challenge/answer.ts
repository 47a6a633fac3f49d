import { securityEvent } from '../audit/audit-log.ts';
import { TwofoldError } from '../errors.ts';
import { EMAIL_CODE_DIGITS } from '../factors/email-codes.ts';
import { rateLimited, type RateSeen } from '../limits/rate-limit.ts';
import type { AuditLog, SecurityEvent } from '../audit/events.ts';
import type { TotpCredential } from '../factors/totp-store.ts';
import type { ThrottlePolicy } from './throttle.ts';
import type { RequestContext } from '../sessions/session.ts';
import type { UserRecord } from '../users/user.ts';
import { availableMethods, emailFactorOn, signInAuthenticators, type FactorState } from './factors.ts';
import { backupShape, type Proof } from './proof.ts';
import type { AcceptWrite } from './store.ts';
import {
  verifyAuthenticator,
  verifyBackupCode,
  verifyEmailCode,
  verifyPassword,
  verifyWebAuthn,
  type AnswerFactor,
  type Verdict,
  type VerifyDeps,
} from './verify.ts';
import type { LoginTransaction } from '../transactions/store.ts';
import type { ChallengePurpose } from '../factors/webauthn/store.ts';

/** A proof that carries an answer (not a session's recent one). */
export type Answer = Exclude<Proof, { kind: 'recent' }>;
type OkVerdict = Extract<Verdict, { result: 'ok' }>;

export interface AnswerDeps extends VerifyDeps {
  throttle: ThrottlePolicy;
  audit: AuditLog;
  /** A lockout just began (its pending sign-ins were burned with it): the user hears of it (threat 13). */
  onLockout(user: UserRecord, until: Date, context: RequestContext): Promise<void>;
  /** A right answer came again: a sign of a watcher (ASVS 2.8.5), told to the user once per burst. */
  onReplay(user: UserRecord, factor: AnswerFactor, context: RequestContext): Promise<void>;
}

/** What the answer is for: a sign-in transaction (an attempt of it is taken), or anything else. */
export type AnswerTarget =
  | { kind: 'transaction'; idHash: Buffer; transaction: LoginTransaction; maxAttempts: number; answerHash: string }
  | { kind: 'none' };

export interface AnswerRequest {
  state: FactorState;
  answer: Answer;
  target: AnswerTarget;
  context: RequestContext;
  /** The operation, as audited. */
  operation: string;
  /** Set when confirming a new authenticator: only a code from these proves it (no other factor, no backup code). */
  authenticators?: readonly TotpCredential[];
  /** The password proves only for a user with no second factor (Rocket.Chat's fallback). */
  passwordAllowed: boolean;
  /** What a WebAuthn answer must be bound to: the transaction, or the session asking. */
  webauthnBinding: { purpose: ChallengePurpose; boundTo: Buffer | null };
  /**
   * What else the write does when the answer is right: a session, a device, an activation, a mark. `now` is the
   * write's instant: the events it adds carry it too, so everything one answer records happened at one moment.
   */
  onAccept(verdict: OkVerdict, now: Date): Omit<AcceptWrite, 'userId' | 'now' | 'claim' | 'resetThrottle' | 'transaction' | 'events'> & { events?: SecurityEvent[] };
}

export type AnswerResult =
  | { kind: 'accepted'; factor: AnswerFactor; credential: TotpCredential | undefined; replacedAuthenticator: boolean }
  | { kind: 'rejected'; factor: AnswerFactor; reason: 'invalid' | 'replayed' | 'exhausted'; attemptsLeft: number | null }
  | { kind: 'locked'; until: Date }
  | { kind: 'transaction-gone' }
  | { kind: 'activation-gone' }
  | { kind: 'disabled' };

/**
 * Checks an answer and records what it did, as one atomic write either way. This is the one place where the
 * per-transaction cap, the account throttle and replay protection are applied, for every path and factor:
 * a right answer is accepted only if its transaction still has an attempt, the account is not locked and
 * what it spends is still unspent; a wrong one takes an attempt and counts toward the lockout.
 */
export async function checkAnswer(deps: AnswerDeps, request: AnswerRequest): Promise<AnswerResult> {
  assertPlausible(request);
  const verdict = await verify(deps, request);
  if (verdict.result === 'ok') {
    const accepted = await accept(deps, request, verdict);
    if (accepted) return accepted;
    // Spent by a parallel request since we looked: that makes this answer a replay.
    return reject(deps, request, { result: 'replayed', factor: verdict.factor });
  }
  return reject(deps, request, verdict);
}

/**
 * A code that none of the user's factors could have produced (wrong length, letters in a TOTP code) is a
 * typing slip, refused as `code_malformed` before anything is spent or counted (threat 12). A key-only user has
 * no code to give: any code is a wrong answer there.
 */
function assertPlausible(request: AnswerRequest): void {
  const { answer, state } = request;
  if (answer.kind !== 'code' && answer.kind !== 'totp') return;
  const digits = /^[0-9]+$/.test(answer.code) ? answer.code.length : 0;
  const authenticators = request.authenticators ?? signInAuthenticators(state);
  if (authenticators.some((c) => c.params.digits === digits)) return;
  if (!request.authenticators) {
    if (authenticators.length > 0 && backupShape(answer.code)) return;
    if (emailFactorOn(state.user) && digits === EMAIL_CODE_DIGITS) return;
    if (authenticators.length === 0 && !emailFactorOn(state.user)) return;
  }
  const expected = authenticators.map((c) => `${c.params.digits} digits`)[0] ?? `${EMAIL_CODE_DIGITS} digits`;
  throw new TwofoldError('code_malformed', { expected: authenticators.length > 0 && !request.authenticators ? `${expected} or a backup code` : expected });
}

/** Which verifier an answer goes to, by what it names and what the user has; a factor the user lacks is not honoured. */
async function verify(deps: AnswerDeps, request: AnswerRequest): Promise<Verdict> {
  const { state, answer } = request;
  const user = state.user;
  if (request.authenticators) {
    // Confirming a new authenticator: only a code from it proves it.
    const fits = answer.kind === 'code' || answer.kind === 'totp';
    return fits ? verifyAuthenticator(deps, request.authenticators, answer.code) : { result: 'invalid', factor: 'totp' };
  }
  const transaction = request.target.kind === 'transaction' ? request.target.transaction : undefined;
  if (answer.kind === 'password') return request.passwordAllowed ? verifyPassword(user, answer.digest) : { result: 'invalid', factor: 'password' };
  if (answer.kind === 'webauthn') return verifyWebAuthn(deps, user, answer.response, request.webauthnBinding);
  const authenticators = signInAuthenticators(state);
  // Backup codes stand for the authenticator they came with: none in effect (turned off here), none accepted.
  if (answer.kind === 'backup') return authenticators.length > 0 ? verifyBackupCode(deps, user, answer.code) : { result: 'invalid', factor: 'backup' };
  const email = emailFactorOn(user);
  if (answer.kind === 'email' && email) return verifyEmailCode(deps, user, state.emailCode, answer.code, transaction);
  if (authenticators.length > 0) {
    const totp = verifyAuthenticator(deps, authenticators, answer.code);
    // Backup codes stand for the authenticator they came with.
    if (totp.result !== 'invalid' || !backupShape(answer.code)) return totp;
    return verifyBackupCode(deps, user, answer.code);
  }
  if (email) return verifyEmailCode(deps, user, state.emailCode, answer.code, transaction);
  // A key-only account has no code to give: a code is read as a missing assertion.
  if (availableMethods(state).includes('webauthn')) return { result: 'invalid', factor: 'webauthn' };
  return { result: 'invalid', factor: 'totp' };
}

async function accept(deps: AnswerDeps, request: AnswerRequest, verdict: OkVerdict): Promise<AnswerResult | null> {
  const { state, target, context } = request;
  const now = deps.clock.now();
  const extras = request.onAccept(verdict, now);
  const passed = securityEvent('challenge_passed', state.user.id, context, { method: verdict.factor, operation: request.operation }, now);
  const events = [passed, ...(extras.events ?? [])];
  const outcome = await deps.store.accept({
    ...extras,
    userId: state.user.id,
    now,
    claim: verdict.claim,
    resetThrottle: verdict.factor !== 'password',
    ...(target.kind === 'transaction'
      ? { transaction: { idHash: target.idHash, maxAttempts: target.maxAttempts, answerHash: target.answerHash } }
      : {}),
    events,
    ...rateWindow(context),
  });
  noteRate(context, outcome.status === 'accepted' || outcome.status === 'rate-limited' ? outcome.rate : undefined);
  switch (outcome.status) {
    case 'rate-limited':
      throw rateLimited(context.rate!, outcome.rate.windowStart, now);
    case 'accepted':
      deps.audit.observed(events);
      return { kind: 'accepted', factor: verdict.factor, credential: verdict.credential, replacedAuthenticator: outcome.replacedAuthenticator };
    case 'claim-taken':
      return null;
    case 'locked':
      return { kind: 'locked', until: outcome.until };
    case 'transaction-gone':
      return { kind: 'transaction-gone' };
    case 'activation-gone':
      return { kind: 'activation-gone' };
    case 'user-disabled':
      return { kind: 'disabled' };
  }
}

async function reject(deps: AnswerDeps, request: AnswerRequest, verdict: Exclude<Verdict, OkVerdict>): Promise<AnswerResult> {
  const { state, target, context } = request;
  const now = deps.clock.now();
  const replayed = verdict.result === 'replayed';
  const details = { method: verdict.factor, operation: request.operation, ...(replayed ? { replayed: true } : {}) };
  const events = [securityEvent('challenge_failed', state.user.id, context, details, now)];
  if (replayed && verdict.factor === 'totp') events.push(securityEvent('totp_replay_rejected', state.user.id, context, {}, now));
  const outcome = await deps.store.reject({
    userId: state.user.id,
    now,
    // A replay is someone repeating a right answer, not guessing: it never counts toward the lockout (threat 14).
    countTowardLockout: !replayed,
    throttle: deps.throttle,
    ...(target.kind === 'transaction' ? { transaction: { idHash: target.idHash, maxAttempts: target.maxAttempts } } : {}),
    ...(verdict.emailCode ? { emailCode: verdict.emailCode } : {}),
    events,
    ...rateWindow(context),
  });
  noteRate(context, outcome.rate);
  switch (outcome.status) {
    case 'rate-limited':
      throw rateLimited(context.rate!, outcome.rate.windowStart, now);
    case 'locked':
      return { kind: 'locked', until: outcome.until };
    case 'transaction-gone':
      return { kind: 'transaction-gone' };
  }
  deps.audit.observed(events);
  // The answer that begins a lock is told it was wrong; the lock meets the ones after it.
  if (outcome.lockBegan) await deps.onLockout(state.user, outcome.lockBegan, context);
  if (replayed) await deps.onReplay(state.user, verdict.factor, context);
  const attemptsLeft = target.kind === 'transaction' ? Math.max(0, target.maxAttempts - (outcome.attempts ?? target.maxAttempts)) : null;
  return { kind: 'rejected', factor: verdict.factor, reason: outcome.codeExhausted ? 'exhausted' : verdict.result, attemptsLeft };
}

/** The failures-only limit the façade handed over, for the write to check (a right answer) or count (a wrong one). */
function rateWindow(context: RequestContext) {
  const charge = context.rate;
  return charge ? { rate: { key: charge.key, limit: charge.limit, windowSeconds: charge.windowSeconds } } : {};
}

/** What the write saw of the limit's window, handed back to the façade for its X-RateLimit-* headers. */
function noteRate(context: RequestContext, seen: RateSeen | undefined): void {
  if (context.rate && seen) context.rate.seen = seen;
}
