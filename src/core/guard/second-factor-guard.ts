import type { Clock } from '../clock.ts';
import { TwofoldError, isTwofoldError } from '../errors.ts';
import { reusableCodes, sendEmailCode, verifyEmailCode, type EmailCodeDeps } from '../factors/email-codes.ts';
import { checkSecondFactorCode, type SecondFactorDeps } from '../auth/second-factor.ts';
import { verifyPasswordDigest } from '../password.ts';
import type { RequestContext, Session } from '../sessions/session.ts';
import type { SessionStore } from '../sessions/store.ts';
import type { UserRecord } from '../users/user.ts';
import { availableMethods, chooseMethod, type ChallengeMethod, type FactorMethod } from './available-methods.ts';
import { throttledCheck, type ThrottleDeps } from './account-throttle.ts';
import { hashToken } from '../crypto/hash.ts';
import { assertionOptions, verifyAssertion } from '../factors/webauthn/assertion.ts';
import type { WebAuthnDeps } from '../factors/webauthn/challenges.ts';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';

export interface GuardDeps {
  factors: SecondFactorDeps;
  webauthn: WebAuthnDeps;
  throttle: ThrottleDeps;
  email: EmailCodeDeps;
  sessions: SessionStore;
  clock: Clock;
  /** Seconds a session that passed a check skips further checks from the same IP and user agent (0: never). */
  rememberForSeconds: number;
}

/** An operation that needs a fresh second factor (disable a factor, change the password, ...). */
export interface ProtectedOperation {
  name: string;
  /** Weakens the account: never satisfied by the remember-for grace (security.md threat 11). */
  weakensAccount?: boolean;
  /** Users without any factor prove themselves with their password instead (Rocket.Chat's fallback). */
  passwordFallback?: boolean;
}

export interface GuardRequest {
  user: UserRecord;
  operation: ProtectedOperation;
  context: RequestContext;
  /** The session asking, when there is one: its remember-for grace may apply, and a pass renews it. */
  session?: Session | null;
  code?: unknown;
  method?: unknown;
}

/** What a `totp-required` challenge tells the client (Rocket.Chat's `details`). */
export interface ChallengeDetails {
  method: ChallengeMethod;
  codeGenerated: boolean;
  codeCount?: number;
  codeExpires?: Date[];
  emailOrUsername?: string;
  availableMethods: FactorMethod[];
  /** For `webauthn`: the options to pass to `navigator.credentials.get()`; the answer is the proof. */
  webauthn?: PublicKeyCredentialRequestOptionsJSON;
}

export type GuardOutcome = { verified: false; reason: 'no-factor' | 'remembered' } | { verified: true; method: ChallengeMethod };

/**
 * The "second factor required" guard, shared by every façade and by embedding apps. Without a code it
 * either lets the call through (no factor, or a remembered session) or throws `second_factor_required`
 * with the challenge details (mailing an email code when that is the method). With a code it checks it
 * by the chosen method and throws `second_factor_invalid` / `second_factor_max_attempts` on failure.
 */
export async function checkSecondFactor(deps: GuardDeps, request: GuardRequest): Promise<GuardOutcome> {
  const available = await availableMethods(deps.factors, request.user);
  const method = chooseMethod(available, request.method, request.operation.passwordFallback ?? false);
  if (!method) return { verified: false, reason: 'no-factor' };

  const { user, context, operation } = request;
  const audit = deps.factors.events.audit;
  if (request.code === undefined || request.code === null || request.code === '') {
    if (remembered(deps, request)) return { verified: false, reason: 'remembered' };
    const details = await challenge(deps, user, method, available, request.session?.id);
    await audit.record('challenge_issued', user.id, context, { method, operation: operation.name, codeGenerated: details.codeGenerated });
    throw new TwofoldError('second_factor_required', { ...details });
  }

  const outcome = await throttledCheck(deps.throttle, user, () => verifyCode(deps, user, method, request.code, context, request.session?.id), (o) => o === 'ok');
  await audit.record(outcome === 'ok' ? 'challenge_passed' : 'challenge_failed', user.id, context, { method, operation: operation.name });
  if (outcome === 'max_attempts') throw new TwofoldError('second_factor_max_attempts', { method, availableMethods: available });
  if (outcome !== 'ok') throw new TwofoldError('second_factor_invalid', { method, availableMethods: available });
  if (request.session) {
    await deps.sessions.markSecondFactor(request.session.id, deps.clock.now(), request.context.ip ?? null, request.context.userAgent ?? null);
  }
  return { verified: true, method };
}

/** Builds the challenge; for email, mails a code unless a live one with enough life left exists. */
export async function challenge(
  deps: GuardDeps,
  user: UserRecord,
  method: ChallengeMethod,
  available: FactorMethod[],
  sessionId?: string,
): Promise<ChallengeDetails> {
  if (method === 'webauthn') {
    const options = await assertionOptions(deps.webauthn, user, stepUpBinding(sessionId));
    return { method, codeGenerated: false, availableMethods: available, webauthn: options };
  }
  if (method !== 'email') return { method, codeGenerated: false, availableMethods: method === 'password' ? [] : available };
  const live = await reusableCodes(deps.email, user);
  if (live.length > 0) {
    return { method, codeGenerated: false, codeCount: live.length, codeExpires: live.map((c) => c.expiresAt), availableMethods: available };
  }
  await sendEmailCode(deps.email, user);
  return { method, codeGenerated: true, emailOrUsername: user.username ?? user.email, availableMethods: available };
}

/** A step-up key challenge answers for the session that asked for it (none for a login's DDP challenge). */
function stepUpBinding(sessionId: string | undefined) {
  return { purpose: 'step-up' as const, boundTo: sessionId ? hashToken(sessionId) : null };
}

function remembered(deps: GuardDeps, request: GuardRequest): boolean {
  const { session, context, operation } = request;
  if (!session?.secondFactorAt || operation.weakensAccount || deps.rememberForSeconds <= 0) return false;
  const fresh = deps.clock.now().getTime() - session.secondFactorAt.getTime() < deps.rememberForSeconds * 1000;
  // Bound to where the check was passed: a stolen token replayed from elsewhere gets challenged.
  return fresh && session.secondFactorIp === (context.ip ?? null) && session.secondFactorUserAgent === (context.userAgent ?? null);
}

async function verifyCode(
  deps: GuardDeps,
  user: UserRecord,
  method: ChallengeMethod,
  code: unknown,
  context: RequestContext,
  sessionId?: string,
): Promise<'ok' | 'invalid' | 'max_attempts'> {
  if (method === 'email') return verifyEmailCode(deps.email, user, code);
  if (method === 'webauthn') return verifyAssertion(deps.webauthn, user, code, stepUpBinding(sessionId));
  if (method === 'password') {
    // Rocket.Chat's fallback: the code is the hex SHA-256 of the password, checked against the stored hash.
    return typeof code === 'string' && /^[0-9a-fA-F]{64}$/.test(code) && (await verifyPasswordDigest(user.passwordHash, code.toLowerCase()))
      ? 'ok'
      : 'invalid';
  }
  const credential = await deps.factors.totp.findActive(user.id);
  if (!credential) return 'invalid';
  try {
    return (await checkSecondFactorCode(deps.factors, credential, code, { allowBackupCode: true, user, context })) === 'ok' ? 'ok' : 'invalid';
  } catch (error) {
    // A malformed code is a wrong code here: Rocket.Chat clients expect `totp-invalid` for both.
    if (isTwofoldError(error) && (error.code === 'code_malformed' || error.code === 'code_required')) return 'invalid';
    throw error;
  }
}
