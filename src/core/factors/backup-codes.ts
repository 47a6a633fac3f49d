import type { KeyRing } from '../crypto/keyring.ts';
import { generateFromAlphabet } from '../crypto/random.ts';
import { BACKUP_CODE_ALPHABET, BACKUP_CODE_LENGTH } from './code-input.ts';
import type { BackupCodeStore } from './totp-store.ts';

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

/** Uses a backup code once. Deterministic HMACs let one atomic UPDATE find and spend it. */
export function consumeBackupCode(
  deps: { backupCodes: BackupCodeStore; keyRing: KeyRing },
  userId: string,
  code: string,
  now: Date,
): Promise<boolean> {
  return deps.backupCodes.consume(userId, deps.keyRing.hashCodeAllKeys(code, context(userId)), now);
}
