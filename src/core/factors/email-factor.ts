import type { Clock } from '../clock.ts';
import { TwofoldError } from '../errors.ts';
import type { AccountEvents } from '../audit/account-events.ts';
import type { ChangeContext } from './totp-management.ts';
import { normalizeEmail, parseLoginIdentity } from '../users/identity.ts';
import type { UserStore } from '../users/store.ts';
import type { UserRecord } from '../users/user.ts';
import { sendEmailCode, type EmailCodeDeps } from './email-codes.ts';

export interface EmailFactorDeps {
  users: UserStore;
  email: EmailCodeDeps;
  events: AccountEvents;
  clock: Clock;
}

/** Turns email codes on; they go to verified addresses only, so an unverified one cannot carry them. */
export async function enableEmailFactor(deps: EmailFactorDeps, user: UserRecord, change: ChangeContext = {}): Promise<void> {
  if (!user.emailVerifiedAt) throw new TwofoldError('email_not_verified');
  if (user.emailTwoFactorEnabledAt) return;
  const now = deps.clock.now();
  await deps.users.setEmailTwoFactor(user.id, now, now);
  await deps.events.factorChanged(user, 'email', 'enabled', change.context);
}

/** Turns email codes off. The caller has passed the guard for `disableEmailFactor` (a fresh second factor). */
export async function disableEmailFactor(deps: EmailFactorDeps, user: UserRecord, change: ChangeContext = {}): Promise<void> {
  if (!user.emailTwoFactorEnabledAt) return;
  const now = deps.clock.now();
  await deps.users.setEmailTwoFactor(user.id, null, now);
  await deps.events.factorChanged(user, 'email', 'disabled', change.context, change.keepSessionId);
}

/**
 * Rocket.Chat's `sendEmailCode(emailOrUsername)`: works without a login, mails a new code to the
 * user's verified addresses and returns them. Users without email codes turned on get no mail.
 */
export async function sendEmailCodeFor(deps: EmailFactorDeps, emailOrUsername: unknown): Promise<string[]> {
  if (typeof emailOrUsername !== 'string' || emailOrUsername.trim() === '') throw new TwofoldError('missing_identity');
  const user = await findByEmailOrUsername(deps.users, emailOrUsername);
  if (!user) throw new TwofoldError('user_not_found');
  if (!user.emailTwoFactorEnabledAt) return [];
  return (await sendEmailCode(deps.email, user)).to;
}

async function findByEmailOrUsername(users: UserStore, value: string): Promise<UserRecord | null> {
  const identity = parseLoginIdentity(value);
  if (!identity) return null;
  if ('username' in identity) return users.findByUsername(identity.username);
  try {
    return await users.findByEmail(normalizeEmail(identity.email));
  } catch {
    return null;
  }
}
