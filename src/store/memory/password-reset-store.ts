import type { PasswordResetStore } from '../../core/users/password-reset.ts';
import { consumeLink } from './links.ts';
import { hex, insertUnique, later, type MemoryTables } from './tables.ts';

export function createMemoryPasswordResetStore(tables: MemoryTables): PasswordResetStore {
  const { resets } = tables;
  return {
    async insert(row) {
      tables.requireUser(row.userId);
      insertUnique(resets, hex(row.tokenHash), { ...row, tokenHash: hex(row.tokenHash), usedAt: null }, 'password_resets_pkey');
    },
    async isLive(tokenHash, now) {
      const link = resets.get(hex(tokenHash));
      return link !== undefined && link.usedAt === null && later(link.expiresAt, now);
    },
    async consume(tokenHash, passwordHash, now) {
      const link = resets.get(hex(tokenHash));
      const owner = link && link.usedAt === null && later(link.expiresAt, now) ? link.userId : null;
      const user = consumeLink(
        tables,
        resets,
        tokenHash,
        now,
        (u) => ({ passwordHash, emailVerifiedAt: u.emailVerifiedAt ?? now, updatedAt: now }),
        (u) => u.disabledAt === null,
      );
      // The user's other links die with the one used (whether or not it set the password).
      if (owner) for (const other of resets.values()) if (other.userId === owner && other.usedAt === null) other.usedAt = now;
      return user;
    },
  };
}
