import { TwofoldError } from '../errors.ts';
import { challengeDetails, preferredMethod, type DetailsDeps } from '../challenge/details.ts';
import { availableMethods, type FactorMethod, type FactorState } from '../challenge/factors.ts';
import { accountLocked } from '../challenge/require.ts';
import type { ChallengeStore } from '../challenge/store.ts';
import { securityEvent } from '../audit/audit-log.ts';
import type { AuditLog } from '../audit/events.ts';
import { trustedDevice, type TrustedDeviceDeps } from '../devices/trusted-devices.ts';
import type { IssuedSession, RequestContext } from '../sessions/session.ts';
import { createSession, type SessionDeps } from '../sessions/sessions.ts';
import { openTransaction, type TransactionDeps } from '../transactions/login-transactions.ts';
import type { UserRecord } from '../users/user.ts';
import type { Clock } from '../clock.ts';

export type SignInMethod = FactorMethod | 'backup_code';

/** What a right password turns into: a session, or a transaction waiting for the second factor. */
export type SignInResult =
  | { kind: 'session'; user: UserRecord; issued: IssuedSession }
  | {
      kind: 'second_factor';
      user: UserRecord;
      transactionId: string;
      expiresAt: Date;
      methods: SignInMethod[];
      /** How long "remember this device" would last (0: not offered). */
      rememberDeviceDays: number;
    };

export interface SignInStartDeps {
  clock: Clock;
  store: ChallengeStore;
  audit: AuditLog;
  sessions: SessionDeps;
  transactions: TransactionDeps;
  devices: TrustedDeviceDeps;
  details: DetailsDeps;
}

/**
 * How a façade wants a pending second factor reported: a transaction to complete later (REST, Backendless),
 * or a challenge error at once (DDP `login`, which retries with the code).
 */
export type PendingStyle = 'transaction' | 'challenge';

/**
 * The single place where a right password becomes a session. Every sign-in path of every façade ends here or
 * in the challenge module's completion, so "second factor pending" is a state of session issuance, not a check
 * some routes remember to make: a user with a factor gets a transaction or a challenge, never a token.
 */
export async function startSignIn(
  deps: SignInStartDeps,
  user: UserRecord,
  context: RequestContext,
  options: { style: PendingStyle; deviceToken?: unknown; preferredMethod?: unknown },
  /** The user's factor state when the password step read it along with the user (else it is read here). */
  read?: FactorState,
): Promise<SignInResult> {
  const state = read ?? (await deps.store.factors(user.id, deps.clock.now()));
  if (!state) throw new TwofoldError('invalid_credentials');
  const available = availableMethods(state);
  if (available.length === 0) return withoutSecondFactor(deps, user, context, { secondFactor: false });
  // A device this user chose to remember skips the sign-in's second factor and nothing else: its session has not
  // answered a factor, so protected operations still ask for one.
  const device = options.deviceToken ? await trustedDevice(deps.devices, user.id, options.deviceToken) : null;
  if (device) return withoutSecondFactor(deps, user, context, { secondFactor: false, trustedDevice: device.id });
  // The account's second-factor checks are paused: say so now (Backendless' 3036), with the wait, rather than
  // open a transaction that no answer could complete. Only someone who knows the password learns it.
  const now = deps.clock.now();
  if (state.throttle.lockedUntil && state.throttle.lockedUntil > now) throw accountLocked(state.throttle.lockedUntil, now);

  const method = preferredMethod(available, options.preferredMethod)!;
  if (options.style === 'challenge') {
    const details = await challengeDetails(deps.details, state, method, { purpose: 'login', boundTo: null });
    await issued(deps, state, context, method, available);
    throw new TwofoldError('second_factor_required', { ...details });
  }
  // The code first: a failed mail leaves no transaction waiting for it.
  if (method === 'email') await challengeDetails(deps.details, state, method, { purpose: 'login', boundTo: null });
  const { transactionId, expiresAt } = await openTransaction(deps.transactions, user.id, 'login');
  await issued(deps, state, context, method, available);
  const methods: SignInMethod[] = available.includes('totp') ? [...available, 'backup_code'] : available;
  return { kind: 'second_factor', user, transactionId, expiresAt, methods, rememberDeviceDays: Math.floor(deps.devices.ttlSeconds / 86_400) };
}

async function withoutSecondFactor(deps: SignInStartDeps, user: UserRecord, context: RequestContext, details: Record<string, unknown>): Promise<SignInResult> {
  // The session and its `login_succeeded` in one write: one round trip and one commit per sign-in.
  const events = [securityEvent('login_succeeded', user.id, context, details, deps.clock.now())];
  const issuedSession = await createSession(deps.sessions, user, context, events);
  deps.audit.observed(events);
  return { kind: 'session', user, issued: issuedSession };
}

/** Audited once the challenge exists (its transaction is written, its code mailed): never for one that failed. */
function issued(deps: SignInStartDeps, state: FactorState, context: RequestContext, method: FactorMethod, available: FactorMethod[]) {
  return deps.audit.record('challenge_issued', state.user.id, context, { method, methods: available, operation: 'login' });
}
