import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { TwofoldError, isTwofoldError } from '../errors.ts';
import type { Notifier } from '../notices.ts';
import { checkPasswordPolicy, hashPasswordDigest, passwordDigest, passwordPolicy } from '../password.ts';
import { normalizeEmail, normalizeUsername } from './identity.ts';
import type { UserStore } from './store.ts';
import { publicUser, type User, type UserRecord } from './user.ts';
import { sendEmailVerification, type EmailVerificationDeps } from './email-verification.ts';
import type { CoreLogger } from '../logger.ts';

export interface RegistrationInput {
  email: unknown;
  password: unknown;
  username?: unknown;
}

/** Validates and creates a user. The caller decides what follows (verification mail, second factor). */
export async function registerUser(
  deps: { users: UserStore; clock: Clock },
  input: RegistrationInput,
): Promise<UserRecord> {
  const passwordHash = await hashNewPassword(input.password);
  const emailNormalized = normalizeEmail(input.email);
  const username =
    input.username === undefined || input.username === null || input.username === ''
      ? null
      : typeof input.username === 'string'
        ? normalizeUsername(input.username)
        : (() => {
            throw new TwofoldError('invalid_username');
          })();
  return deps.users.insert({
    id: randomUUID(),
    email: (input.email as string).trim(),
    emailNormalized,
    username,
    passwordHash,
    createdAt: deps.clock.now(),
  });
}

/**
 * Creates an account and mails its verification link. A mail that cannot be sent must not undo the registration:
 * the user can ask again (`verificationMailSent: false` says so).
 */
export async function registerAccount(
  deps: { users: UserStore; clock: Clock; verification: EmailVerificationDeps; logger: CoreLogger; notifier: Notifier },
  input: RegistrationInput,
  options: { conceal: boolean },
): Promise<{ user: User; record: UserRecord; verificationMailSent: boolean; concealed: boolean }> {
  let record: UserRecord;
  try {
    record = await registerUser(deps, input);
  } catch (error) {
    const existing = options.conceal && isTwofoldError(error) && error.code === 'user_exists' ? await deps.users.findByEmail(normalizeEmail(input.email)) : null;
    if (!existing) throw error;
    return concealedRegistration(deps, existing, input);
  }
  let verificationMailSent = true;
  await sendEmailVerification(deps.verification, record).catch((error: unknown) => {
    verificationMailSent = false;
    deps.logger.warn({ userId: record.id, reason: (error as TwofoldError).code ?? 'unknown' }, 'verification mail not sent');
  });
  return { user: publicUser(record), record, verificationMailSent, concealed: false };
}

/**
 * Registration privacy (REGISTRATION_PRIVACY): an address that already has an account is answered like a new
 * registration — a user nobody will ever find, the same time spent (the password was hashed) — and its owner is
 * told by mail. Nothing is written.
 */
async function concealedRegistration(deps: { clock: Clock; notifier: Notifier }, existing: UserRecord, input: RegistrationInput) {
  const now = deps.clock.now();
  await deps.notifier.send({ kind: 'registration-attempt', to: existing.email, at: now }).catch(() => undefined);
  const record: UserRecord = {
    id: randomUUID(),
    email: (input.email as string).trim(),
    emailNormalized: existing.emailNormalized,
    username: null,
    passwordHash: '',
    emailVerifiedAt: null,
    disabledAt: null,
    emailTwoFactorEnabledAt: null,
    roles: [],
    lockedByOwnerAt: null,
    setupDueAt: null,
    createdAt: now,
    updatedAt: now,
  };
  return { user: publicUser(record), record, verificationMailSent: true, concealed: true };
}

/** Checks a new password against the policy and hashes it. */
export async function hashNewPassword(password: unknown): Promise<string> {
  if (password === undefined || password === null || password === '') throw new TwofoldError('missing_password');
  if (typeof password !== 'string') throw new TwofoldError('validation_failed', { field: 'password' });
  const problem = checkPasswordPolicy(password);
  if (problem) throw new TwofoldError('weak_password', { problem, ...passwordPolicy });
  return hashPasswordDigest(passwordDigest(password));
}
