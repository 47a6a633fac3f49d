import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { TwofoldError } from '../errors.ts';
import { checkPasswordPolicy, hashPasswordDigest, passwordDigest, passwordPolicy } from '../password.ts';
import { normalizeEmail, normalizeUsername } from './identity.ts';
import type { UserStore } from './store.ts';
import type { UserRecord } from './user.ts';

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

/** Checks a new password against the policy and hashes it. */
export async function hashNewPassword(password: unknown): Promise<string> {
  if (password === undefined || password === null || password === '') throw new TwofoldError('missing_password');
  if (typeof password !== 'string') throw new TwofoldError('validation_failed', { field: 'password' });
  const problem = checkPasswordPolicy(password);
  if (problem) throw new TwofoldError('weak_password', { problem, ...passwordPolicy });
  return hashPasswordDigest(passwordDigest(password));
}
