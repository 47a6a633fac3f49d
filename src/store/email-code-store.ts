import type { EmailCodeStore, LiveEmailCode } from '../core/factors/email-code-store.ts';
import type { Queryable } from './db.ts';

interface Row {
  id: string;
  code_hash: string;
  expires_at: Date;
}

const toCode = (row: Row): LiveEmailCode => ({ id: row.id, codeHash: row.code_hash, expiresAt: row.expires_at });
const LIVE = 'user_id = $1 AND used_at IS NULL AND expires_at > $2 AND attempts < $3';

export function createEmailCodeStore(db: Queryable): EmailCodeStore {
  return {
    async insert(row) {
      await db.query('INSERT INTO email_codes (id, user_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
        row.id,
        row.userId,
        row.codeHash,
        row.createdAt,
        row.expiresAt,
      ]);
    },
    async listLive(userId, now, maxAttempts) {
      const rows = await db.query<Row>(`SELECT id, code_hash, expires_at FROM email_codes WHERE ${LIVE} ORDER BY created_at DESC`, [
        userId,
        now,
        maxAttempts,
      ]);
      return rows.map(toCode);
    },
    async reserveAttempts(userId, now, maxAttempts) {
      const rows = await db.query<Row>(`UPDATE email_codes SET attempts = attempts + 1 WHERE ${LIVE} RETURNING id, code_hash, expires_at`, [
        userId,
        now,
        maxAttempts,
      ]);
      return rows.map(toCode);
    },
    async consume(id, now) {
      return (await db.query('UPDATE email_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL RETURNING id', [id, now])).length === 1;
    },
    async hasExhausted(userId, now, maxAttempts) {
      const rows = await db.query(
        'SELECT 1 FROM email_codes WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2 AND attempts >= $3 LIMIT 1',
        [userId, now, maxAttempts],
      );
      return rows.length > 0;
    },
  };
}
