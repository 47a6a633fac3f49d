import { TwofoldError } from '../errors.ts';

const EMAIL_MAX_LENGTH = 254;
// Deliberately simple (WHATWG-style): one @, no spaces or control characters, a dot-free-or-dotted domain
// of letters, digits and hyphens. Real validation of an address is the verification mail.
const EMAIL_SHAPE = /^[^\s@\p{Cc}]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*$/u;
const USERNAME_SHAPE = /^[\p{L}\p{N}._-]{3,32}$/u;

/** Emails compare case-insensitively and in NFC, so `Jack@X.org` and `jack@x.org` are one account. */
export function normalizeEmail(input: unknown): string {
  if (typeof input !== 'string') throw new TwofoldError('invalid_email');
  const email = input.normalize('NFC').trim().toLowerCase();
  if (email.length === 0 || email.length > EMAIL_MAX_LENGTH || !EMAIL_SHAPE.test(email)) {
    throw new TwofoldError('invalid_email');
  }
  return email;
}

export function normalizeUsername(input: string): string {
  const username = input.normalize('NFC').trim();
  if (!USERNAME_SHAPE.test(username)) {
    throw new TwofoldError('invalid_username', { rule: '3 to 32 letters, digits, ".", "_" or "-"' });
  }
  return username;
}

/** Who a password sign-in names: an e-mail address (lower-cased) or a username (compared case-insensitively). */
export type LoginIdentity = { email: string } | { username: string };

/** Whether `user` is the one a login identity names, as the stores compare them (the SQL's unique indexes). */
export function identifies(identity: LoginIdentity, user: { emailNormalized: string; username: string | null }): boolean {
  return 'email' in identity ? user.emailNormalized === identity.email : user.username?.toLowerCase() === identity.username.toLowerCase();
}

/** A login identity is an email when it has an "@", else a username. */
export function parseLoginIdentity(input: string): LoginIdentity | null {
  const trimmed = input.normalize('NFC').trim();
  if (trimmed.length === 0 || trimmed.length > EMAIL_MAX_LENGTH) return null;
  return trimmed.includes('@') ? { email: trimmed.toLowerCase() } : { username: trimmed };
}
