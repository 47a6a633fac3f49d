import type { Clock } from '../clock.ts';
import { hashToken } from '../crypto/hash.ts';
import { generateToken } from '../crypto/random.ts';
import { TwofoldError } from '../errors.ts';
import type { Notifier } from '../notices.ts';
import { accountAt, afterAnswer, type AddressLookup } from './address-lookup.ts';
import type { EmailVerificationStore } from './store.ts';
import type { UserRecord } from './user.ts';

export interface EmailVerificationDeps {
  emailVerifications: EmailVerificationStore;
  notifier: Notifier;
  clock: Clock;
  ttlSeconds: number;
  /** Builds the link a user follows; the façade owns URLs, the core owns the token. */
  verificationLink(token: string): string;
}

/** Mails a single-use link that proves the user reads this address. */
export async function sendEmailVerification(deps: EmailVerificationDeps, user: UserRecord): Promise<void> {
  if (user.emailVerifiedAt) throw new TwofoldError('email_already_verified');
  const token = generateToken();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.ttlSeconds * 1000);
  await deps.emailVerifications.insert({
    tokenHash: hashToken(token),
    userId: user.id,
    emailNormalized: user.emailNormalized,
    createdAt: now,
    expiresAt,
  });
  await deps.notifier.send({ kind: 'verify-email', to: user.email, link: deps.verificationLink(token), expiresAt });
}

export async function confirmEmailVerification(deps: EmailVerificationDeps, token: unknown): Promise<UserRecord> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 128) {
    throw new TwofoldError('verification_token_invalid');
  }
  const user = await deps.emailVerifications.consume(hashToken(token), deps.clock.now());
  if (!user) throw new TwofoldError('verification_token_invalid');
  return user;
}

/**
 * A new link for an address, asked before any sign-in (Backendless' resendEmailConfirmation, or a user whom
 * REQUIRE_EMAIL_CONFIRMATION keeps out): the same answer whether the address is registered or already verified.
 */
export async function resendVerificationTo(deps: EmailVerificationDeps, lookup: AddressLookup, email: unknown): Promise<void> {
  const user = await accountAt(lookup, 'confirm', email);
  if (!user || user.emailVerifiedAt) return;
  afterAnswer(lookup, user, 'verification mail', () => sendEmailVerification(deps, user));
}
