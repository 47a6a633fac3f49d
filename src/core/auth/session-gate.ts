import { TwofoldError } from '../errors.ts';
import { formatBackupCode, generateBackupCodes, hashBackupCodes } from '../factors/backup-codes.ts';
import { sendEmailCode, verifyEmailCode } from '../factors/email-codes.ts';
import { availableMethods, type FactorMethod } from '../guard/available-methods.ts';
import { challenge, checkSecondFactor, type GuardDeps } from '../guard/second-factor-guard.ts';
import type { IssuedSession, RequestContext } from '../sessions/session.ts';
import { createSession, type SessionDeps } from '../sessions/sessions.ts';
import { loadTransaction, openTransaction, type TransactionDeps } from '../transactions/login-transactions.ts';
import type { UserStore } from '../users/store.ts';
import type { UserRecord } from '../users/user.ts';
import { checkSecondFactorCode } from './second-factor.ts';
import { throttledCheck } from '../guard/account-throttle.ts';
import { parseCodeInput } from '../factors/code-input.ts';
import { verifyAssertion } from '../factors/webauthn/assertion.ts';
import { rememberDevice, trustedDevice, type IssuedDevice, type TrustedDeviceDeps } from '../devices/trusted-devices.ts';
import type { TotpCredential } from '../factors/totp-store.ts';

export type SecondFactorMethod = FactorMethod | 'backup_code';

/** What a correct password turns into: a session, or a transaction waiting for the second factor. */
export type LoginResult =
  | { kind: 'session'; user: UserRecord; issued: IssuedSession }
  | {
      kind: 'second_factor';
      user: UserRecord;
      transactionId: string;
      expiresAt: Date;
      methods: SecondFactorMethod[];
      /** How long "remember this device" would last (0: not offered). */
      rememberDeviceDays: number;
    };

export interface GateDeps {
  sessions: SessionDeps;
  transactions: TransactionDeps;
  guard: GuardDeps;
  users: UserStore;
  devices: TrustedDeviceDeps;
}

/**
 * How a façade wants a pending second factor reported: as a transaction to complete later
 * (REST, Backendless), or as an immediate challenge error (DDP `login`, which retries with the code).
 */
export type PendingStyle = 'transaction' | 'challenge';

/**
 * The single place where a login becomes a session. Every login path of every façade ends here, so
 * "second factor pending" is a state of session issuance, not a check some routes remember to make:
 * a user with an enabled factor gets a transaction or a challenge, never a token, until it is verified.
 */
export async function completeLogin(
  deps: GateDeps,
  user: UserRecord,
  context: RequestContext,
  style: PendingStyle = 'transaction',
  options: { deviceToken?: unknown } = {},
): Promise<LoginResult> {
  const audit = deps.guard.factors.events.audit;
  const available = await availableMethods(deps.guard.factors, user);
  if (available.length === 0) {
    const issued = await createSession(deps.sessions, user, context);
    await audit.record('login_succeeded', user.id, context, { secondFactor: false });
    return { kind: 'session', user, issued };
  }
  // A device this user chose to remember skips the login's second factor, and nothing else: the
  // session is not marked as having passed one, so protected operations still ask for it.
  const device = options.deviceToken ? await trustedDevice(deps.devices, user.id, options.deviceToken) : null;
  if (device) {
    const issued = await createSession(deps.sessions, user, context);
    await audit.record('login_succeeded', user.id, context, { secondFactor: false, trustedDevice: device.id });
    return { kind: 'session', user, issued };
  }
  // The user picks the factor on the next step: the event names the preferred one and all that were offered.
  await audit.record('challenge_issued', user.id, context, { method: available[0], methods: available, operation: 'login' });
  if (style === 'challenge') {
    throw new TwofoldError('second_factor_required', { ...(await challenge(deps.guard, user, available[0]!, available)) });
  }
  const { transactionId, expiresAt } = await openTransaction(deps.transactions, user.id, 'login');
  if (available[0] === 'email') await sendEmailCode(deps.guard.email, user);
  const methods: SecondFactorMethod[] = available.includes('totp') ? [...available, 'backup_code'] : available;
  return { kind: 'second_factor', user, transactionId, expiresAt, methods, rememberDeviceDays: Math.floor(deps.devices.ttlSeconds / 86_400) };
}

/** A login that carries its second factor along (DDP `{totp: {login, code}}`): checked, then a session. */
export async function completeLoginWithCode(
  deps: GateDeps,
  user: UserRecord,
  context: RequestContext,
  supplied: { code: unknown; method?: unknown },
): Promise<LoginResult> {
  const outcome = await checkSecondFactor(deps.guard, { user, context, operation: { name: 'login' }, ...supplied });
  const issued = await createSession(deps.sessions, user, context, outcome.verified);
  await deps.guard.factors.events.audit.record('login_succeeded', user.id, context, { secondFactor: outcome.verified });
  return { kind: 'session', user, issued };
}

export interface SecondFactorLogin {
  user: UserRecord;
  issued: IssuedSession;
  /** Set when this code confirmed a new authenticator: the backup codes, shown this once. */
  backupCodes?: string[];
  /** Set when the caller asked to remember this device: its token, shown this once. */
  device?: IssuedDevice;
}

/** What a client may send to finish a transaction. */
export interface SecondFactorInput {
  transactionId: unknown;
  code?: unknown;
  method?: unknown;
  /** The browser's answer to the transaction's WebAuthn options (with `method: 'webauthn'`). */
  webauthn?: unknown;
  rememberDevice?: unknown;
}

type LoginMethod = 'totp' | 'email' | 'webauthn';

/**
 * Which factor a login transaction is finished with: the one asked for when the user has it, else the
 * authenticator app, else email, else a key. Null when none fits (the factor went away meanwhile).
 */
function loginMethod(requested: unknown, available: FactorMethod[], hasAuthenticator: boolean): LoginMethod | null {
  if ((requested === 'email' || requested === 'webauthn') && available.includes(requested)) return requested;
  if (hasAuthenticator) return 'totp';
  return available.find((m): m is LoginMethod => m === 'email' || m === 'webauthn') ?? null;
}

/**
 * The factor a transaction is finished with, or null when none fits any more. An enrolment takes its own
 * pending authenticator; a login with an authenticator code (the hot path) needs no look at the others.
 */
async function transactionMethod(
  deps: GateDeps,
  input: SecondFactorInput,
  user: UserRecord,
  enrolling: boolean,
  credentialFits: boolean,
): Promise<LoginMethod | null> {
  if (enrolling) return credentialFits ? 'totp' : null;
  const otherFactor = input.method === 'email' || input.method === 'webauthn' || !credentialFits;
  if (!otherFactor) return 'totp';
  return loginMethod(input.method, await availableMethods(deps.guard.factors, user), credentialFits);
}

/**
 * Activates a confirmed authenticator with a fresh set of backup codes (returned formatted, shown once).
 * It runs before the transaction is consumed: a process that dies in between leaves an active
 * authenticator (its transaction then no longer fits and is refused), never a used transaction with the
 * authenticator still pending. Activation is atomic and happens once.
 */
async function activateEnrolment(deps: GateDeps, credential: TotpCredential, user: UserRecord, now: Date): Promise<string[]> {
  const codes = generateBackupCodes();
  const factors = deps.guard.factors;
  if (!(await factors.totp.activate(credential.id, user.id, now, hashBackupCodes(factors.keyRing, user.id, codes)))) {
    throw new TwofoldError('transaction_not_found');
  }
  return codes.map(formatBackupCode);
}

/**
 * Finishes a transaction: a login (TOTP, backup or email code, or a passkey's answer) or the confirmation
 * of a new authenticator (its first TOTP code). The guess is reserved before the answer is checked and the
 * transaction consumed before the session exists, so parallel requests get at most the allowed guesses and
 * at most one session.
 */
export async function completeSecondFactor(deps: GateDeps, input: SecondFactorInput, context: RequestContext): Promise<SecondFactorLogin> {
  const tx = deps.transactions;
  const now = () => tx.clock.now();
  const { idHash, transaction } = await loadTransaction(tx, input.transactionId);
  const user = await deps.users.findById(transaction.userId);
  if (!user) throw new TwofoldError('transaction_not_found');
  const enrolling = transaction.purpose === 'enroll';
  const credential = enrolling
    ? await deps.guard.factors.totp.findById(transaction.credentialId ?? '')
    : await deps.guard.factors.totp.findActive(transaction.userId);
  const credentialFits = !!credential && credential.state === (enrolling ? 'pending' : 'active') && credential.userId === user.id;
  const method = await transactionMethod(deps, input, user, enrolling, credentialFits);
  if (!method) {
    // The factor this transaction was for was replaced or removed meanwhile.
    await tx.transactions.burn(idHash, now());
    throw new TwofoldError('transaction_not_found');
  }

  // A malformed code is a typing slip, not a guess: refuse it before any allowance is spent.
  if (method === 'totp') parseCodeInput(input.code, credential!.params.digits);
  const attempt = await tx.transactions.reserveAttempt(idHash, now(), tx.maxAttempts);
  if (attempt === null) {
    // Another request used, burned or outlived it since we looked: report which.
    await loadTransaction(tx, input.transactionId);
    throw new TwofoldError('transaction_locked');
  }
  const outcome = await throttledCheck(deps.guard.throttle, user, () => checkLoginFactor(deps, method, user, credential, input, { idHash, enrolling, context }), (o) => o === 'ok');
  const audit = deps.guard.factors.events.audit;
  await audit.record(outcome === 'ok' ? 'challenge_passed' : 'challenge_failed', user.id, context, { method, operation: enrolling ? 'enroll' : 'login' });
  if (outcome !== 'ok') {
    // No burn at the last wrong answer: no guess can be reserved any more anyway, and a right answer
    // already in flight on its own reserved guess (a parallel burst) must still be able to finish.
    const attemptsLeft = Math.max(0, tx.maxAttempts - attempt);
    throw new TwofoldError(method === 'webauthn' ? 'webauthn_invalid' : 'code_invalid', { attemptsLeft });
  }
  if (user.disabledAt) throw new TwofoldError('user_disabled');

  const backupCodes = enrolling ? await activateEnrolment(deps, credential!, user, now()) : undefined;
  if (!(await tx.transactions.consume(idHash, now()))) {
    // Used by a parallel request, or closed meanwhile by a lockout: report which.
    await loadTransaction(tx, input.transactionId);
    throw new TwofoldError('transaction_used');
  }
  if (enrolling) await deps.guard.factors.events.factorChanged(user, 'totp', 'enabled', context);
  const issued = await createSession(deps.sessions, user, context, true);
  await audit.record('login_succeeded', user.id, context, { secondFactor: true });
  const device = input.rememberDevice === true ? await rememberDevice(deps.devices, user.id, context) : null;
  if (device) await audit.record('device_trusted', user.id, context, { deviceId: device.device.id });
  return {
    user,
    issued,
    ...(backupCodes ? { backupCodes } : {}),
    ...(device ? { device } : {}),
  };
}

/** The check itself, by factor; a WebAuthn answer must be to a challenge issued for this very transaction. */
function checkLoginFactor(
  deps: GateDeps,
  method: LoginMethod,
  user: UserRecord,
  credential: TotpCredential | null,
  input: SecondFactorInput,
  at: { idHash: Buffer; enrolling: boolean; context: RequestContext },
) {
  if (method === 'email') return verifyEmailCode(deps.guard.email, user, input.code);
  if (method === 'webauthn') return verifyAssertion(deps.guard.webauthn, user, input.webauthn, { purpose: 'login', boundTo: at.idHash });
  return checkSecondFactorCode(deps.guard.factors, credential!, input.code, { allowBackupCode: !at.enrolling, user, context: at.context });
}

/** Opens the transaction that confirms a pending authenticator with its first code. */
export function openEnrollmentTransaction(deps: GateDeps, userId: string, credentialId: string) {
  return openTransaction(deps.transactions, userId, 'enroll', credentialId);
}
