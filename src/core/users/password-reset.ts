import type { AccountEvents } from '../audit/account-events.ts';
import type { Clock } from '../clock.ts';
import { hashToken } from '../crypto/hash.ts';
import { generateToken } from '../crypto/random.ts';
import { TwofoldError } from '../errors.ts';
import type { Notifier } from '../notices.ts';
import type { RequestContext } from '../sessions/session.ts';
import type { LoginTransactionStore } from '../transactions/store.ts';
import { accountAt, afterAnswer, type AddressLookup } from './address-lookup.ts';
import { hashNewPassword } from './registration.ts';
import type { UserRecord } from './user.ts';

/** Storage port for reset links, known only by the SHA-256 of their token. */
export interface PasswordResetStore {
  insert(row: { tokenHash: Buffer; userId: string; emailNormalized: string; createdAt: Date; expiresAt: Date }): Promise<void>;
  /** Whether a link is live (unused, unexpired), without using it. */
  isLive(tokenHash: Buffer, now: Date): Promise<boolean>;
  /**
   * Uses the link and sets the new password hash in one statement: it succeeds once, before expiry and while the
   * user still has the address the link went to. The user's other links die with it, and the address counts
   * as verified (following the link proved it).
   */
  consume(tokenHash: Buffer, passwordHash: string, now: Date): Promise<UserRecord | null>;
}

export interface PasswordResetDeps {
  lookup: AddressLookup;
  resets: PasswordResetStore;
  transactions: LoginTransactionStore;
  events: AccountEvents;
  notifier: Notifier;
  clock: Clock;
  /** Life of a link (30 minutes). */
  ttlSeconds: number;
  /** The page that takes the token; the façade owns URLs, the core the token. */
  resetLink(token: string): string;
}

const MAX_TOKEN_LENGTH = 128;

/**
 * "Forgot my password": mails a single-use link to the account at `email`, if there is a live one. The caller
 * learns nothing either way (threat 9): an unknown or disabled address gets the same answer in the same time,
 * because the link is made and mailed after the answer.
 */
export async function requestPasswordReset(deps: PasswordResetDeps, email: unknown, context: RequestContext | null): Promise<void> {
  const user = await accountAt(deps.lookup, 'reset', email);
  if (!user) return;
  afterAnswer(deps.lookup, user, 'password reset mail', async () => {
    const token = generateToken();
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + deps.ttlSeconds * 1000);
    await deps.resets.insert({ tokenHash: hashToken(token), userId: user.id, emailNormalized: user.emailNormalized, createdAt: now, expiresAt });
    await deps.events.audit.record('password_reset_requested', user.id, context);
    await deps.notifier.send({ kind: 'password-reset', to: user.email, link: deps.resetLink(token), expiresAt });
  });
}

/**
 * Sets a new password with a link's token. What a reset proves is the mailbox, not a second factor: it changes
 * the password and nothing else, so a user with a factor is still asked for it at the next sign-in. Every
 * session, remembered device and pending sign-in ends, and the user is told by mail (ASVS 2.2.3).
 */
export async function confirmPasswordReset(deps: PasswordResetDeps, token: unknown, password: unknown, context: RequestContext | null): Promise<UserRecord> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw new TwofoldError('reset_token_invalid');
  const tokenHash = hashToken(token);
  // The cheap check first: a made-up token costs no password hash.
  if (!(await deps.resets.isLive(tokenHash, deps.clock.now()))) throw new TwofoldError('reset_token_invalid');
  const passwordHash = await hashNewPassword(password);
  const now = deps.clock.now();
  const user = await deps.resets.consume(tokenHash, passwordHash, now);
  if (!user) throw new TwofoldError('reset_token_invalid');
  // A sign-in waiting for its second factor was begun with the old password.
  await deps.transactions.burnAllForUser(user.id, now);
  await deps.events.passwordChanged(user, context, null, 'reset');
  return user;
}
