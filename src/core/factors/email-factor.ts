import type { AccountEvents } from '../audit/account-events.ts';
import { authorise, type Asker } from '../challenge/asker.ts';
import type { FactorSettings } from '../challenge/factors.ts';
import type { ChallengeDeps } from '../challenge/require.ts';
import type { Clock } from '../clock.ts';
import { TwofoldError } from '../errors.ts';
import type { CoreLogger } from '../logger.ts';
import { normalizeEmail, parseLoginIdentity } from '../users/identity.ts';
import type { UserStore } from '../users/store.ts';
import type { UserRecord } from '../users/user.ts';
import { codeRecipients, mailNewEmailCode, type EmailCodeDeps } from './email-codes.ts';
import { appliedNow, heldUntil, requestChange, type ChangeOutcome, type VetoWindowDeps } from '../factor-changes/request.ts';

export interface EmailFactorDeps {
  challenge: ChallengeDeps;
  users: UserStore;
  email: EmailCodeDeps;
  events: AccountEvents;
  clock: Clock;
  logger: CoreLogger;
  /** Whether this server offers email codes, and to new accounts without asking. */
  factors: Pick<FactorSettings, 'email' | 'emailAutoOptIn'>;
  /** Email bombing: counts a request for `emailOrUsername` against its per-target limit. */
  limitTarget(target: string): Promise<void>;
  /** The veto window: a change for a user who already has a factor waits (`factor-changes/request.ts`). */
  changes: VetoWindowDeps;
}

/** Turns email codes on; they go to verified addresses only, so an unverified one cannot carry them. */
export async function enableEmailFactor(deps: EmailFactorDeps, user: UserRecord, asker: Asker): Promise<ChangeOutcome> {
  if (!deps.factors.email) throw new TwofoldError('factor_unavailable', { method: 'email' });
  if (!user.emailVerifiedAt) throw new TwofoldError('email_not_verified');
  if (user.emailTwoFactorEnabledAt) return appliedNow;
  await authorise(deps.challenge, user, 'enable-email-codes', asker);
  const applyAt = await heldUntil(deps.changes, deps.challenge.store, user.id);
  if (applyAt) return requestChange(deps.changes, user, { kind: 'email-enable' }, applyAt, asker.context, asker.session?.id ?? null);
  const now = deps.clock.now();
  await deps.users.setEmailTwoFactor(user.id, now, now);
  await deps.events.factorChanged(user, 'email', 'enabled', asker.context);
  return appliedNow;
}

/** Turns email codes off: a factor goes, so the user's other sessions end. */
export async function disableEmailFactor(deps: EmailFactorDeps, user: UserRecord, asker: Asker): Promise<ChangeOutcome> {
  if (!user.emailTwoFactorEnabledAt) return appliedNow;
  await authorise(deps.challenge, user, 'disable-email-codes', asker);
  const applyAt = await heldUntil(deps.changes, deps.challenge.store, user.id);
  if (applyAt) return requestChange(deps.changes, user, { kind: 'email-disable' }, applyAt, asker.context, asker.session?.id ?? null);
  const now = deps.clock.now();
  await deps.users.setEmailTwoFactor(user.id, null, now);
  await deps.events.factorChanged(user, 'email', 'disabled', asker.context, asker.session?.id ?? null);
  return appliedNow;
}

/**
 * Rocket.Chat's email auto opt-in, decided when the account is created (as Rocket.Chat does): its email codes are
 * on from the start and take effect once the address is verified (codes go to verified addresses only). A user who
 * turns them off later keeps them off. Nothing is proved or mailed: the account is seconds old.
 */
export async function optInEmailCodes(deps: EmailFactorDeps, user: UserRecord): Promise<UserRecord> {
  if (!deps.factors.email || !deps.factors.emailAutoOptIn) return user;
  const now = deps.clock.now();
  const updated = await deps.users.setEmailTwoFactor(user.id, now, now);
  await deps.events.audit.record('factor_enabled', user.id, null, { factor: 'email', reason: 'auto opt-in' });
  return updated ?? user;
}

/**
 * Rocket.Chat's `sendEmailCode(emailOrUsername)`: works without a login, mails a new code to a user with email
 * codes turned on, and says where it went. To anyone but that user signed in, the addresses are masked
 * (threat 9), and the mail goes out after the answer, so how long the answer takes says nothing about the
 * user's factors. An unknown user is `user_not_found` (Rocket.Chat's `error-invalid-user`; the native API hides it).
 */
export async function sendEmailCodeTo(deps: EmailFactorDeps, emailOrUsername: string, requesterId: string | null): Promise<string[]> {
  const target = emailOrUsername.trim();
  if (target === '') throw new TwofoldError('missing_identity');
  await deps.limitTarget(target.toLowerCase());
  const user = await findByEmailOrUsername(deps.users, target);
  if (!user) throw new TwofoldError('user_not_found');
  if (!user.emailTwoFactorEnabledAt || !deps.factors.email) return [];
  const to = codeRecipients(user);
  void mailNewEmailCode(deps.email, user).catch((error: unknown) =>
    deps.logger.warn({ userId: user.id, reason: (error as TwofoldError).code ?? 'unknown' }, 'email code not sent'),
  );
  return requesterId === user.id ? to : to.map(maskAddress);
}

/** `jack@example.org` → `j•••@example.org`: enough for the owner to recognise, too little to harvest. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${address[0]}•••${address.slice(at)}`;
}

async function findByEmailOrUsername(users: UserStore, value: string): Promise<UserRecord | null> {
  const identity = parseLoginIdentity(value);
  if (!identity) return null;
  if ('username' in identity) return users.findByUsername(identity.username);
  // Only a malformed address means "no such user"; a database error must reach the caller as its 503.
  let email: string;
  try {
    email = normalizeEmail(identity.email);
  } catch {
    return null;
  }
  return users.findByEmail(email);
}
