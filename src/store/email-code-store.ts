import type { LiveEmailCode } from '../core/challenge/factors.ts';
import type { EmailCodeStore } from '../core/factors/email-codes.ts';
import type { Queryable } from './db.ts';
import { isUniqueViolation } from './db-errors.ts';

interface Row {
  id: string;
  code_hash: string;
  attempts: number;
  created_at: Date;
  live_since: Date;
  expires_at: Date;
}

export function createEmailCodeStore(db: Queryable): EmailCodeStore {
  const statement = (code: Parameters<EmailCodeStore['replace']>[0]) =>
    // One statement: the previous codes are retired (marked used) and the new one continues a live one's run.
    db.query<Row>(
        `WITH retired AS (
           UPDATE email_codes SET used_at = $4 WHERE user_id = $2 AND used_at IS NULL
           RETURNING CASE WHEN expires_at > $4 THEN live_since END AS live_since
         )
         INSERT INTO email_codes (id, user_id, code_hash, created_at, live_since, expires_at)
         VALUES ($1, $2, $3, $4, coalesce((SELECT min(live_since) FROM retired), $4), $5)
         RETURNING id, code_hash, attempts, created_at, live_since, expires_at`,
      [code.id, code.userId, code.codeHash, code.createdAt, code.expiresAt],
    );
  return {
    async replace(code) {
      let rows: Row[];
      try {
        rows = await statement(code);
      } catch (error) {
        // A parallel replace for the same user committed a new live code after our snapshot: retire it too.
        if (!isUniqueViolation(error)) throw error;
        rows = await statement(code);
      }
      const row = rows[0]!;
      return { id: row.id, codeHash: row.code_hash, attempts: row.attempts, createdAt: row.created_at, liveSince: row.live_since, expiresAt: row.expires_at } satisfies LiveEmailCode;
    },
  };
}
