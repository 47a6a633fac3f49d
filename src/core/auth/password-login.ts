import type { AuditLog } from '../audit/events.ts';
import { TwofoldError } from '../errors.ts';
import { admitLogin, type ConcurrentLoginDeps } from '../sessions/concurrent-logins.ts';
import type { RequestContext } from '../sessions/session.ts';
import { burnPasswordCheck, passwordDigest, verifyPasswordDigest } from '../password.ts';
import { parseLoginIdentity } from '../users/identity.ts';
import type { ChallengeStore } from '../challenge/store.ts';
import type { Clock } from '../clock.ts';

export interface PasswordLoginInput {
  identity: unknown;
  /** The password as typed (REST, Backendless) ... */
  password?: unknown;
  /** ... or its hex SHA-256, as Meteor/DDP clients send it. */
  passwordDigest?: unknown;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** A password sign-in's one read: the user as stored, and their factor state as offered. */
export type SignInRead = NonNullable<Awaited<ReturnType<ChallengeStore['factorsByLogin']>>>;

export interface PasswordCheckDeps {
  store: Pick<ChallengeStore, 'factorsByLogin'>;
  clock: Clock;
  requireEmailConfirmation: boolean;
}

/**
 * Checks a password login. Unknown identities and wrong passwords fail alike, in comparable time
 * (an argon2 check against a dummy hash), so the answer does not reveal who is registered.
 * The user is read with their factor state, which the sign-in decides on next: one read per sign-in.
 */
export async function checkPasswordLogin(deps: PasswordCheckDeps, input: PasswordLoginInput): Promise<SignInRead> {
  if (typeof input.identity !== 'string' || input.identity.trim() === '') throw new TwofoldError('missing_identity');
  const digest = digestOf(input);
  const identity = parseLoginIdentity(input.identity);
  const found = identity ? await deps.store.factorsByLogin(identity, deps.clock.now()) : null;
  if (!found) {
    await burnPasswordCheck(digest);
    throw new TwofoldError('invalid_credentials');
  }
  const { user } = found;
  if (!(await verifyPasswordDigest(user.passwordHash, digest))) throw new TwofoldError('invalid_credentials');
  // Told only to someone who knows the password: it reveals nothing to a guesser.
  if (user.disabledAt) throw new TwofoldError('user_disabled');
  if (user.lockedByOwnerAt) throw new TwofoldError('account_locked_by_owner');
  if (deps.requireEmailConfirmation && !user.emailVerifiedAt) throw new TwofoldError('email_not_confirmed');
  return found;
}

export interface PasswordStepDeps extends PasswordCheckDeps {
  audit: AuditLog;
  logins: ConcurrentLoginDeps;
}

/**
 * The password step of every sign-in: the check, a trace when it fails (no user id: it may not exist), and the
 * client's session limit once it passed.
 */
export async function passwordStep(deps: PasswordStepDeps, input: PasswordLoginInput, context: RequestContext): Promise<SignInRead> {
  let found: SignInRead;
  try {
    found = await checkPasswordLogin(deps, input);
  } catch (error) {
    if (error instanceof TwofoldError && error.code === 'invalid_credentials') await deps.audit.record('login_failed', null, context);
    throw error;
  }
  await admitLogin(deps.logins, found.user, context);
  return found;
}

function digestOf(input: PasswordLoginInput): string {
  if (typeof input.passwordDigest === 'string') {
    const digest = input.passwordDigest.toLowerCase();
    if (!HEX_SHA256.test(digest)) throw new TwofoldError('validation_failed', { field: 'password.digest' });
    return digest;
  }
  if (input.password === undefined || input.password === null || input.password === '') {
    throw new TwofoldError('missing_password');
  }
  if (typeof input.password !== 'string' || input.password.length > 4096) {
    throw new TwofoldError('validation_failed', { field: 'password' });
  }
  return passwordDigest(input.password);
}
