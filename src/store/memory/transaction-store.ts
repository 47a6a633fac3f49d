import type { LoginTransaction, LoginTransactionStore } from '../../core/transactions/store.ts';
import { hex, insertUnique, later, type MemoryTables, type TransactionRow } from './tables.ts';

export function transactionOfRow(row: TransactionRow): LoginTransaction {
  const { idHash: _h, ...transaction } = row;
  return transaction;
}

/** Still answerable as the SQL's `UPDATE … WHERE` sees it: not consumed, not burned. */
export const open = (t: TransactionRow) => t.consumedAt === null && t.burnedAt === null;

export function createMemoryTransactionStore(tables: MemoryTables): LoginTransactionStore {
  const { transactions } = tables;
  return {
    async insert(idHash, t) {
      tables.requireUser(t.userId);
      if (t.credentialId !== null && !tables.totp.has(t.credentialId)) throw Object.assign(new Error('no such credential'), { code: '23503' });
      const row: TransactionRow = { ...t, idHash: hex(idHash), attempts: 0, consumedAt: null, burnedAt: null, answerHash: null };
      insertUnique(transactions, row.idHash, row, 'login_transactions_pkey');
    },
    async find(idHash) {
      const row = transactions.get(hex(idHash));
      return row ? transactionOfRow(row) : null;
    },
    async burn(idHash, now) {
      const row = transactions.get(hex(idHash));
      if (row && open(row)) row.burnedAt = now;
    },
    async burnAllForUser(userId, now) {
      return burnLive(tables, userId, now);
    },
  };
}

/** Burns the user's live sign-ins (also what a lockout does, in the reject write). */
export function burnLive(tables: MemoryTables, userId: string, now: Date): number {
  let burned = 0;
  for (const row of tables.transactions.values()) {
    if (row.userId === userId && open(row) && later(row.expiresAt, now)) {
      row.burnedAt = now;
      burned += 1;
    }
  }
  return burned;
}
