import type { KeyRing } from '../crypto/keyring.ts';
import { generateFromAlphabet } from '../crypto/random.ts';

/** Backup codes avoid look-alikes (0/O, 1/I/L) so they survive being written down and typed back. */
export const BACKUP_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const BACKUP_CODE_LENGTH = 8;
export const BACKUP_CODE_COUNT = 12;

/** Backup codes are peppered per user: the same code of two users never hashes alike. */
const context = (userId: string) => `backup:${userId}`;

export function generateBackupCodes(): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => generateFromAlphabet(BACKUP_CODE_ALPHABET, BACKUP_CODE_LENGTH));
}

/** How a code is shown to a person: `ABCD-EFGH`. */
export function formatBackupCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export function hashBackupCodes(keyRing: KeyRing, userId: string, codes: string[]): string[] {
  return codes.map((code) => keyRing.hashCode(code, context(userId)));
}

/** A typed code's hash under every key of the ring: deterministic HMACs let one indexed lookup find it. */
export function backupCodeLookup(keyRing: KeyRing, userId: string, code: string): string[] {
  return keyRing.hashCodeAllKeys(code, context(userId));
}

/** Fresh codes for a user: what to store (hashes) and what to show once (formatted). */
export function issueBackupCodes(keyRing: KeyRing, userId: string): { hashes: string[]; shown: string[] } {
  const codes = generateBackupCodes();
  return { hashes: hashBackupCodes(keyRing, userId, codes), shown: codes.map(formatBackupCode) };
}
