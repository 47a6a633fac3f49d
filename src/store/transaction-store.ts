import type { LoginTransaction, LoginTransactionStore } from '../core/transactions/store.ts';
import type { Queryable } from './db.ts';

interface TransactionRow {
  user_id: string;
  purpose: LoginTransaction['purpose'];
  credential_id: string | null;
  attempts: number;
  created_at: Date;
  expires_at: Date;
  consumed_at: Date | null;
  burned_at: Date | null;
  answer_hash: string | null;
}

function toTransaction(row: TransactionRow): LoginTransaction {
  return {
    userId: row.user_id,
    purpose: row.purpose,
    credentialId: row.credential_id,
    attempts: row.attempts,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
    burnedAt: row.burned_at,
    answerHash: row.answer_hash,
  };
}


export function createTransactionStore(db: Queryable): LoginTransactionStore {
  return {
    async insert(idHash, t) {
      await db.query(
        `INSERT INTO login_transactions (id_hash, user_id, purpose, credential_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [idHash, t.userId, t.purpose, t.credentialId, t.createdAt, t.expiresAt],
      );
    },
    async find(idHash) {
      const rows = await db.query<TransactionRow>('SELECT * FROM login_transactions WHERE id_hash = $1', [idHash]);
      return rows[0] ? toTransaction(rows[0]) : null;
    },
    async burn(idHash, now) {
      await db.query('UPDATE login_transactions SET burned_at = $2 WHERE id_hash = $1 AND burned_at IS NULL AND consumed_at IS NULL', [idHash, now]);
    },
    async burnAllForUser(userId, now) {
      const rows = await db.query(
        'UPDATE login_transactions SET burned_at = $2 WHERE user_id = $1 AND burned_at IS NULL AND consumed_at IS NULL AND expires_at > $2 RETURNING 1',
        [userId, now],
      );
      return rows.length;
    },
  };
}
