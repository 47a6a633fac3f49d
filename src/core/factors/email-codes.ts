import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { generateDigits } from '../crypto/random.ts';
import type { Notifier } from '../notices.ts';
import type { LiveEmailCode } from '../challenge/factors.ts';
import type { UserRecord } from '../users/user.ts';

export const EMAIL_CODE_DIGITS = 6;

/** Storage port for email codes: one live code per user, stored as a peppered hash. */
export interface EmailCodeStore {
  /**
   * Stores `row` as the user's one live code, retiring any other (security.md threat 15). When a code it
   * replaces is still live, the new one continues its run (`liveSince`), so a resend still completes the
   * sign-in that asked for it.
   */
  replace(row: { id: string; userId: string; codeHash: string; createdAt: Date; expiresAt: Date }): Promise<LiveEmailCode>;
}

export interface EmailCodeDeps {
  emailCodes: EmailCodeStore;
  keyRing: KeyRing;
  notifier: Notifier;
  clock: Clock;
  /** ASVS 2.7.2: out-of-band codes live at most 10 minutes. */
  ttlSeconds: number;
  /** Wrong tries a code survives. */
  maxAttempts: number;
  /** Email bombing: a cap on the codes mailed to one person (throws `rate_limited` past it). */
  mailAllowed(user: UserRecord): Promise<void>;
}

const context = (userId: string) => `email-code:${userId}`;

/** Where email codes go: every verified address of the user (twofold keeps one address per user). */
export function codeRecipients(user: UserRecord): string[] {
  return user.emailVerifiedAt ? [user.email] : [];
}

export function verifyEmailCodeHash(keyRing: KeyRing, userId: string, code: string, stored: string): boolean {
  return keyRing.verifyCode(code, context(userId), stored);
}

/** A live code is worth reusing (no new mail) while it has at least half its life and all its tries left. */
export function reusable(deps: Pick<EmailCodeDeps, 'clock' | 'ttlSeconds' | 'maxAttempts'>, live: LiveEmailCode | null): live is LiveEmailCode {
  if (!live || live.attempts >= deps.maxAttempts) return false;
  return live.expiresAt.getTime() - deps.clock.now().getTime() >= (deps.ttlSeconds * 1000) / 2;
}

/**
 * Mails a fresh code and makes it the user's one live code. The row is written after the mail was handed
 * over, so a failed delivery leaves the previous code as it was.
 */
export async function mailNewEmailCode(deps: EmailCodeDeps, user: UserRecord): Promise<{ to: string[]; code: LiveEmailCode | null }> {
  const to = codeRecipients(user);
  if (to.length === 0) return { to, code: null };
  await deps.mailAllowed(user);
  const code = generateDigits(EMAIL_CODE_DIGITS);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.ttlSeconds * 1000);
  await deps.notifier.send({ kind: 'email-code', to, code, expiresAt });
  const stored = await deps.emailCodes.replace({ id: randomUUID(), userId: user.id, codeHash: deps.keyRing.hashCode(code, context(user.id)), createdAt: now, expiresAt });
  return { to, code: stored };
}
