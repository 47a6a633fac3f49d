import type { LiveEmailCode } from '../../core/challenge/factors.ts';
import type { EmailCodeStore } from '../../core/factors/email-codes.ts';
import { later, type EmailCodeRow, type MemoryTables, uniqueViolation } from './tables.ts';

export function liveEmailCode(row: EmailCodeRow): LiveEmailCode {
  const { id, codeHash, attempts, createdAt, liveSince, expiresAt } = row;
  return { id, codeHash, attempts, createdAt, liveSince, expiresAt };
}

export function createMemoryEmailCodeStore(tables: MemoryTables): EmailCodeStore {
  return {
    async replace(code) {
      tables.requireUser(code.userId);
      if (tables.emailCodes.has(code.id)) throw uniqueViolation('email_codes_pkey');
      // The previous codes are retired; the new one continues the run of one still live.
      let liveSince: Date | null = null;
      for (const row of tables.emailCodes.values()) {
        if (row.userId !== code.userId || row.usedAt !== null) continue;
        row.usedAt = code.createdAt;
        if (later(row.expiresAt, code.createdAt) && (liveSince === null || row.liveSince < liveSince)) liveSince = row.liveSince;
      }
      const row: EmailCodeRow = { ...code, attempts: 0, liveSince: liveSince ?? code.createdAt, usedAt: null };
      tables.emailCodes.set(row.id, row);
      return liveEmailCode(row);
    },
  };
}
