import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { generateDigits } from '../crypto/random.ts';
import type { Notifier } from '../notices.ts';
import type { UserRecord } from '../users/user.ts';
import type { EmailCodeStore, LiveEmailCode } from './email-code-store.ts';

export interface EmailCodeDeps {
  emailCodes: EmailCodeStore;
  keyRing: KeyRing;
  notifier: Notifier;
  clock: Clock;
  /** ASVS 2.7.2: out-of-band codes live at most 10 minutes. */
  ttlSeconds: number;
  /** Wrong tries a code survives. */
  maxAttempts: number;
}

export const EMAIL_CODE_DIGITS = 6;

const context = (userId: string) => `email-code:${userId}`;

/** Where email codes go: every verified address of the user (twofold keeps one address per user). */
export function codeRecipients(user: UserRecord): string[] {
  return user.emailVerifiedAt ? [user.email] : [];
}

/**
 * Mails a fresh code. The code row is written only after the mail was handed over, so a failed
 * delivery leaves nothing that counts as a sent code.
 */
export async function sendEmailCode(deps: EmailCodeDeps, user: UserRecord): Promise<{ to: string[]; expiresAt: Date }> {
  const to = codeRecipients(user);
  if (to.length === 0) return { to, expiresAt: deps.clock.now() };
  const code = generateDigits(EMAIL_CODE_DIGITS);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.ttlSeconds * 1000);
  await deps.notifier.send({ kind: 'email-code', to, code, expiresAt });
  await deps.emailCodes.insert({ id: randomUUID(), userId: user.id, codeHash: deps.keyRing.hashCode(code, context(user.id)), createdAt: now, expiresAt });
  return { to, expiresAt };
}

/** Live codes with enough life left to be worth reusing instead of mailing another (at least half their life). */
export async function reusableCodes(deps: EmailCodeDeps, user: UserRecord): Promise<LiveEmailCode[]> {
  const now = deps.clock.now();
  const minimumExpiry = now.getTime() + (deps.ttlSeconds * 1000) / 2;
  return (await deps.emailCodes.listLive(user.id, now, deps.maxAttempts)).filter((c) => c.expiresAt.getTime() >= minimumExpiry);
}

export type EmailCodeCheck = 'ok' | 'invalid' | 'max_attempts';

/**
 * Checks a typed code ("123-456", "123 456" and "123456" alike). One try is taken from every live
 * code before comparing, so parallel guesses cannot exceed the cap; a match is then used once.
 */
export async function verifyEmailCode(deps: EmailCodeDeps, user: UserRecord, raw: unknown): Promise<EmailCodeCheck> {
  const digits = typeof raw === 'string' || typeof raw === 'number' ? String(raw).replace(/\D/g, '') : '';
  const now = deps.clock.now();
  const candidates = await deps.emailCodes.reserveAttempts(user.id, now, deps.maxAttempts);
  if (candidates.length === 0) {
    return (await deps.emailCodes.hasExhausted(user.id, now, deps.maxAttempts)) ? 'max_attempts' : 'invalid';
  }
  if (digits.length !== EMAIL_CODE_DIGITS) return 'invalid';
  for (const candidate of candidates) {
    if (deps.keyRing.verifyCode(digits, context(user.id), candidate.codeHash) && (await deps.emailCodes.consume(candidate.id, now))) return 'ok';
  }
  return 'invalid';
}
