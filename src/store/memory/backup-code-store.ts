import { randomUUID } from 'node:crypto';
import type { BackupCodeStore } from '../../core/factors/totp-store.ts';
import { deleteWhere, type MemoryTables } from './tables.ts';

/** The user's backup codes become exactly `hashes`, unused (also what activating an authenticator does). */
export function replaceBackupCodes(tables: MemoryTables, userId: string, hashes: readonly string[], now: Date): void {
  deleteWhere(tables.backupCodes, (b) => b.userId === userId);
  for (const codeHash of hashes) {
    const id = randomUUID();
    tables.backupCodes.set(id, { id, userId, codeHash, createdAt: now, usedAt: null });
  }
}

export function createMemoryBackupCodeStore(tables: MemoryTables): BackupCodeStore {
  return {
    async replace(userId, hashes, now) {
      if (hashes.length > 0) tables.requireUser(userId);
      replaceBackupCodes(tables, userId, hashes, now);
    },
    async countUnused(userId) {
      return [...tables.backupCodes.values()].filter((b) => b.userId === userId && b.usedAt === null).length;
    },
  };
}
