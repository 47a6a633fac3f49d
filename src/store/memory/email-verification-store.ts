import type { EmailVerificationStore } from '../../core/users/store.ts';
import { consumeLink } from './links.ts';
import { hex, insertUnique, type MemoryTables } from './tables.ts';

export function createMemoryEmailVerificationStore(tables: MemoryTables): EmailVerificationStore {
  return {
    async insert(row) {
      tables.requireUser(row.userId);
      insertUnique(tables.verifications, hex(row.tokenHash), { ...row, tokenHash: hex(row.tokenHash), usedAt: null }, 'email_verifications_pkey');
    },
    async consume(tokenHash, now) {
      // Used once, before expiry; verifies only while the user still has the address it went to.
      return consumeLink(tables, tables.verifications, tokenHash, now, (user) => ({ emailVerifiedAt: user.emailVerifiedAt ?? now, updatedAt: now }));
    },
  };
}
