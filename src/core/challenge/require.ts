import { TwofoldError, isTwofoldError } from '../errors.ts';
import { hashToken } from '../crypto/hash.ts';
import type { RequestContext, Session } from '../sessions/session.ts';
import type { UserRecord } from '../users/user.ts';
import { checkAnswer, type AnswerDeps } from './answer.ts';
import { challengeDetails, preferredMethod, type ChallengeDetails, type DetailsDeps } from './details.ts';
import { availableMethods, type FactorState } from './factors.ts';
import { appRow, operationName, type NoFactorRule, type Operation, type OperationName, type PolicyRow, type SessionRule } from './policy.ts';
import type { Proof } from './proof.ts';
import type { AnswerFactor } from './verify.ts';
import { answerAmr, combineAmr } from '../sessions/amr.ts';

export interface ChallengeDeps extends AnswerDeps {
  details: DetailsDeps;
  table: Record<OperationName, PolicyRow>;
  /** How long a proof given in a session stands in for another (STEP_UP_WINDOW_SECONDS). */
  stepUpWindowSeconds: number;
  /** Rocket.Chat's remember-for grace (0: never). */
  rememberForSeconds: number;
}

export interface ProofRequest {
  user: UserRecord;
  operation: Operation;
  proof: Proof | null;
  /** The factor a client asked to be challenged with (e.g. `email`, to get a code mailed); honoured when the user has it. */
  preferredMethod?: unknown;
  /** The session asking; its recent proofs may stand in for an answer, and an answer given now is recorded on it. */
  session: Session | null;
  context: RequestContext;
}

/** Why an operation was let through. */
export type PassedVia = 'answer' | 'window' | 'signed-in-with-factor' | 'remember-for' | 'no-factor';

export type ProofOutcome =
  | { kind: 'passed'; via: PassedVia; factor: AnswerFactor | null; state: FactorState }
  | { kind: 'challenge'; details: ChallengeDetails }
  | { kind: 'refused'; error: TwofoldError };

/**
 * `challenge.require`: is this proof enough for this operation by this user in this session? The answer is
 * the policy table's, applied the same way for every path: passed, a challenge saying what to prove (an email
 * code is mailed, key options issued), or refused (a wrong answer, counted; a locked account).
 */
export async function requireProof(deps: ChallengeDeps, request: ProofRequest): Promise<ProofOutcome> {
  const now = deps.clock.now();
  const state = await deps.store.factors(request.user.id, now);
  if (!state) throw new TwofoldError('user_not_found');
  const row = typeof request.operation === 'string' ? deps.table[request.operation] : appRow(request.operation);
  const available = availableMethods(state);
  // Naming `webauthn` without an assertion asks for the key's challenge; it is not an answer yet.
  const asksForKey = request.proof?.kind === 'webauthn' && request.proof.response === null;
  const answer = request.proof && request.proof.kind !== 'recent' && !asksForKey ? request.proof : null;
  const { session, context } = request;
  const name = operationName(request.operation);

  if (!answer) {
    const via = available.length > 0 ? byFactorRule(deps, row.withFactor, session, context) : byNoFactorRule(deps, row.withoutFactor, session);
    if (via) return { kind: 'passed', via, factor: null, state };
    const method = available.length > 0 ? preferredMethod(available, asksForKey ? 'webauthn' : request.preferredMethod)! : 'password';
    const details = await challengeDetails(deps.details, state, method, stepUpBinding(session));
    await deps.audit.record('challenge_issued', state.user.id, context, { method, operation: name, codeGenerated: details.codeGenerated });
    return { kind: 'challenge', details };
  }
  if (available.length === 0 && row.withoutFactor === 'nothing') return { kind: 'passed', via: 'no-factor', factor: null, state };

  const method = available[0] ?? 'password';
  const result = await checkAnswer(deps, {
    state,
    answer,
    target: { kind: 'none' },
    context,
    operation: name,
    passwordAllowed: available.length === 0,
    webauthnBinding: stepUpBinding(session),
    onAccept: (verdict) =>
      session
        ? {
            markSession: {
              id: session.id,
              proved: verdict.factor === 'password' ? 'password' : 'factor',
              ip: context.ip ?? null,
              userAgent: context.userAgent ?? null,
              amr: combineAmr(session.amr, answerAmr(verdict.factor, verdict.claim)),
            },
          }
        : {},
  }).catch((error: unknown) => {
    // A malformed code in a challenge is answered as a wrong one (Rocket.Chat clients expect `totp-invalid`), uncounted.
    if (isTwofoldError(error) && error.code === 'code_malformed') return null;
    throw error;
  });
  if (!result) return { kind: 'refused', error: new TwofoldError('second_factor_invalid', { method, availableMethods: available }) };
  switch (result.kind) {
    case 'accepted':
      return { kind: 'passed', via: 'answer', factor: result.factor, state };
    case 'locked':
      return { kind: 'refused', error: accountLocked(result.until, now) };
    case 'rejected':
      return {
        kind: 'refused',
        error: new TwofoldError(result.reason === 'exhausted' ? 'second_factor_max_attempts' : 'second_factor_invalid', { method, availableMethods: available }),
      };
    default:
      return { kind: 'refused', error: new TwofoldError('second_factor_invalid', { method, availableMethods: available }) };
  }
}

/** `requireProof` for callers that go on only when it passed: a challenge or refusal is thrown as its typed error. */
export async function demandProof(deps: ChallengeDeps, request: ProofRequest): Promise<Extract<ProofOutcome, { kind: 'passed' }>> {
  const outcome = await requireProof(deps, request);
  if (outcome.kind === 'passed') return outcome;
  if (outcome.kind === 'challenge') throw new TwofoldError('second_factor_required', { ...outcome.details });
  throw outcome.error;
}

function byFactorRule(deps: ChallengeDeps, rule: SessionRule, session: Session | null, context: RequestContext): PassedVia | null {
  const at = session?.secondFactorAt;
  if (!at) return null;
  const age = deps.clock.now().getTime() - at.getTime();
  if (rule === 'signed-in-with-factor') return rule;
  if (rule === 'window') return age < deps.stepUpWindowSeconds * 1000 ? rule : null;
  if (rule === 'remember-for') {
    // Bound to where the factor was answered: a stolen token replayed from elsewhere is challenged (threat 11).
    const sameClient = session.secondFactorIp === (context.ip ?? null) && session.secondFactorUserAgent === (context.userAgent ?? null);
    return deps.rememberForSeconds > 0 && age < deps.rememberForSeconds * 1000 && sameClient ? rule : null;
  }
  return null;
}

function byNoFactorRule(deps: ChallengeDeps, rule: NoFactorRule, session: Session | null): PassedVia | null {
  if (rule === 'nothing') return 'no-factor';
  if (rule === 'password-answer' || !session) return null;
  return deps.clock.now().getTime() - session.passwordAt.getTime() < deps.stepUpWindowSeconds * 1000 ? 'window' : null;
}

/** A step-up key challenge answers for the session that asked for it (none for a sign-in's DDP challenge). */
export function stepUpBinding(session: Session | null) {
  return { purpose: 'step-up' as const, boundTo: session ? hashToken(session.id) : null };
}

/** The lock as a typed error with its retry time (NIST SP 800-63B: at most 100 failures in a row, then an operator). */
export function accountLocked(until: Date, now: Date): TwofoldError {
  // The store writes year 9999 for "until an operator unlocks".
  const permanent = until.getUTCFullYear() >= 9999;
  return new TwofoldError('account_locked', {
    retryAt: permanent ? null : until.toISOString(),
    retryAfterSeconds: permanent ? null : Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)),
  });
}
