import type { AccountEvents } from '../audit/account-events.ts';
import { checkAnswer } from '../challenge/answer.ts';
import { authorise, type Asker } from '../challenge/asker.ts';
import type { FactorSettings, FactorState } from '../challenge/factors.ts';
import type { OperationName } from '../challenge/policy.ts';
import { accountLocked, type ChallengeDeps } from '../challenge/require.ts';
import type { Proof } from '../challenge/proof.ts';
import type { Clock } from '../clock.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { hashToken } from '../crypto/hash.ts';
import { generateToken } from '../crypto/random.ts';
import { TwofoldError } from '../errors.ts';
import { openTransaction, type TransactionDeps } from '../transactions/login-transactions.ts';
import type { UserStore } from '../users/store.ts';
import type { UserRecord } from '../users/user.ts';
import { issueBackupCodes } from './backup-codes.ts';
import { appliedNow, deferral, requestChange, type ChangeOutcome, type VetoWindowDeps } from '../factor-changes/request.ts';
import { keyUri, newAuthenticator, openSecret } from './totp.ts';
import type { BackupCodeStore, QrLinkStore, TotpStore } from './totp-store.ts';

export interface AuthenticatorDeps {
  challenge: ChallengeDeps;
  totp: TotpStore;
  backupCodes: BackupCodeStore;
  qrLinks: QrLinkStore;
  users: UserStore;
  transactions: TransactionDeps;
  events: AccountEvents;
  keyRing: KeyRing;
  clock: Clock;
  /** Issuer shown in authenticator apps. */
  issuer: string;
  /** Life of a QR image link. */
  qrLinkTtlSeconds: number;
  /** Whether this server offers authenticator apps at all. */
  factors: Pick<FactorSettings, 'totp'>;
  /** The veto window: a change for a user who already has a factor waits (`factor-changes/request.ts`). */
  changes: VetoWindowDeps;
}

/** A new authenticator as shown to the user who enrols it. */
export interface TotpEnrollment {
  secret: string;
  uri: string;
  /** Id of the QR image link (the façade turns it into a URL it serves). */
  qrId: string;
  /** Completes with the first code (and signs in, for a registration). */
  transactionId: string;
  expiresAt: Date;
}

/**
 * How a new authenticator is enrolled: `pending` until its first code is confirmed (the native API, DDP);
 * `armed` — the Backendless seed's enable2FA — sign-in asks for a code from then on and its first code
 * activates it, while an authenticator already active keeps working until then; `register`: a new account's
 * first one, whose first code also signs in.
 */
export type EnrolmentKind = { mode: 'pending' | 'armed'; operation: OperationName } | { mode: 'register'; state: 'pending' | 'armed' };

/** A server that does not offer authenticator apps enrols none (it would be a factor no sign-in asks for). */
export function assertAuthenticatorsOffered(deps: Pick<AuthenticatorDeps, 'factors'>): void {
  if (!deps.factors.totp) throw new TwofoldError('factor_unavailable', { method: 'totp' });
}

/** Starts enrolling a new authenticator; nobody loses a working one by an abandoned QR code. */
export async function enrolAuthenticator(deps: AuthenticatorDeps, user: UserRecord, kind: EnrolmentKind, asker: Asker | null): Promise<TotpEnrollment> {
  assertAuthenticatorsOffered(deps);
  if (kind.mode !== 'register') await authorise(deps.challenge, user, kind.operation, asker!);
  const { credential, secret, uri } = newAuthenticator(deps, user, await enrolmentState(deps, user, kind));
  await deps.totp.insertUnconfirmed(credential);
  const qrId = generateToken();
  await deps.qrLinks.insert({ idHash: hashToken(qrId), credentialId: credential.id, expiresAt: new Date(deps.clock.now().getTime() + deps.qrLinkTtlSeconds * 1000) });
  const purpose = kind.mode === 'register' ? 'register' : 'enroll';
  const { transactionId, expiresAt } = await openTransaction(deps.transactions, user.id, purpose, credential.id);
  return { secret, uri, qrId, transactionId, expiresAt };
}

/**
 * An armed authenticator counts at sign-in at once, and its first code there activates it: a change no window could
 * hold. Under the veto window, a user who already has a factor gets a pending one instead, which does nothing until
 * its first code is confirmed (and then waits for the window).
 */
async function enrolmentState(deps: AuthenticatorDeps, user: UserRecord, kind: EnrolmentKind): Promise<'pending' | 'armed'> {
  if (kind.mode === 'register') return kind.state;
  if (kind.mode === 'pending' || deps.changes.windowSeconds <= 0) return kind.mode;
  return deferral(deps.changes, await factorState(deps, user)) ? 'pending' : 'armed';
}

/**
 * What a concealed registration (REGISTRATION_PRIVACY) shows instead of an enrolment: the same shape, random values,
 * nothing stored. Its QR link and transaction lead nowhere, like an expired one.
 */
export function concealedEnrollment(deps: AuthenticatorDeps, user: UserRecord): TotpEnrollment {
  const { secret, uri } = newAuthenticator(deps, user, 'pending');
  return { secret, uri, qrId: generateToken(), transactionId: generateToken(24), expiresAt: new Date(deps.clock.now().getTime() + 300_000) };
}

/**
 * Confirms the waiting authenticator with a code from it: it becomes the active one (replacing any previous
 * one) with fresh backup codes, shown this once. The code proves the new factor only, so the session must
 * also hold the proof that enrolling needed (recent, or a pass).
 */
export async function confirmAuthenticator(
  deps: AuthenticatorDeps,
  user: UserRecord,
  code: Proof | null,
  asker: Asker,
  operation: OperationName = 'enrol-authenticator',
): Promise<{ backupCodes: string[]; pendingUntil?: Date }> {
  const state = await factorState(deps, user);
  const waiting = state.unconfirmed;
  if (!waiting) throw new TwofoldError('totp_not_pending');
  await authorise(deps.challenge, user, operation, asker);
  if (!code || code.kind === 'recent') throw new TwofoldError('code_required');
  const backup = issueBackupCodes(deps.keyRing, user.id);
  // Under the veto window the code is still checked (and its step spent) now; the new authenticator waits.
  const applyAt = deferral(deps.changes, state);
  const result = await checkAnswer(deps.challenge, {
    state,
    answer: code,
    target: { kind: 'none' },
    context: asker.context,
    operation: 'enroll',
    authenticators: [waiting],
    passwordAllowed: false,
    webauthnBinding: { purpose: 'step-up', boundTo: null },
    onAccept: () => (applyAt ? {} : { activate: { credentialId: waiting.id, backupCodeHashes: backup.hashes } }),
  });
  if (result.kind === 'locked') throw accountLocked(result.until, deps.clock.now());
  if (result.kind === 'activation-gone') throw new TwofoldError('totp_not_pending');
  if (result.kind !== 'accepted') throw new TwofoldError('code_invalid');
  if (applyAt) {
    const payload = { kind: state.authenticator ? 'totp-replace' : 'totp-enable', credentialId: waiting.id, backupCodeHashes: backup.hashes } as const;
    const { pendingUntil } = await requestChange(deps.changes, user, payload, applyAt, asker.context, asker.session?.id ?? null);
    return { backupCodes: backup.shown, pendingUntil: pendingUntil! };
  }
  await deps.events.factorChanged(user, 'totp', result.replacedAuthenticator ? 'replaced' : 'enabled', asker.context, asker.session?.id ?? null);
  return { backupCodes: backup.shown };
}

/** Turns the authenticator off (and any waiting one): the user's other sessions end (ASVS 2.8.6). */
export async function disableAuthenticator(deps: AuthenticatorDeps, user: UserRecord, asker: Asker, operation: OperationName = 'disable-authenticator'): Promise<ChangeOutcome> {
  const state = await factorState(deps, user);
  if (!state.authenticator && !state.unconfirmed) throw new TwofoldError('totp_not_enabled');
  await authorise(deps.challenge, user, operation, asker);
  // Only a working authenticator waits for the window; a new one never confirmed protects nothing yet.
  const applyAt = state.authenticator ? deferral(deps.changes, state) : null;
  if (applyAt) return requestChange(deps.changes, user, { kind: 'totp-disable' }, applyAt, asker.context, asker.session?.id ?? null);
  await deps.totp.removeAll(user.id);
  await deps.events.factorChanged(user, 'totp', 'disabled', asker.context, asker.session?.id ?? null);
  return appliedNow;
}

/** Replaces every backup code; the new ones are shown this once. */
export async function regenerateBackupCodes(deps: AuthenticatorDeps, user: UserRecord, asker: Asker): Promise<{ backupCodes: string[] }> {
  const state = await factorState(deps, user);
  if (!state.authenticator) throw new TwofoldError('totp_not_enabled');
  await authorise(deps.challenge, user, 'regenerate-backup-codes', asker);
  const backup = issueBackupCodes(deps.keyRing, user.id);
  await deps.backupCodes.replace(user.id, backup.hashes, deps.clock.now());
  await deps.events.factorChanged(user, 'totp', 'backup_codes_regenerated', asker.context);
  return { backupCodes: backup.shown };
}

export interface AuthenticatorStatus {
  /** An authenticator protects sign-in (active, or armed by the Backendless seed's enable2FA). */
  enabled: boolean;
  /** A new authenticator waits for its first code. */
  pending: boolean;
  backupCodesRemaining: number;
}

export async function authenticatorStatus(deps: AuthenticatorDeps, userId: string): Promise<AuthenticatorStatus> {
  // Both reads at once (DDP clients ask this often: benchmark 6); the count is dropped when there is no authenticator.
  const [state, unused] = await Promise.all([factorState(deps, { id: userId }), deps.backupCodes.countUnused(userId)]);
  const armed = state.unconfirmed?.state === 'armed';
  return {
    enabled: state.authenticator !== null || armed,
    pending: state.unconfirmed !== null,
    backupCodesRemaining: state.authenticator ? unused : 0,
  };
}

/** The otpauth:// URI behind a live QR link, while its authenticator waits for its first code. */
export async function qrLinkUri(deps: AuthenticatorDeps, id: string): Promise<string> {
  const credentialId = id.length <= 128 ? await deps.qrLinks.find(hashToken(id), deps.clock.now()) : null;
  const credential = credentialId ? await deps.totp.findById(credentialId) : null;
  const user = credential && credential.state !== 'active' ? await deps.users.findById(credential.userId) : null;
  if (!credential || !user) throw new TwofoldError('not_found');
  return keyUri(deps, user, openSecret(deps, credential), credential.params);
}

async function factorState(deps: AuthenticatorDeps, user: Pick<UserRecord, 'id'>): Promise<FactorState> {
  const state = await deps.challenge.store.factors(user.id, deps.clock.now());
  if (!state) throw new TwofoldError('user_not_found');
  return state;
}
