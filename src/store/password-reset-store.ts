import type { PasswordResetStore } from '../core/users/password-reset.ts';
import type { Queryable } from './db.ts';
import { toUserRecord, type UserRow } from './user-store.ts';

export function createPasswordResetStore(db: Queryable): PasswordResetStore {
  return {
    async insert(row) {
      await db.query(
        `INSERT INTO password_resets (token_hash, user_id, email_normalized, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
        [row.tokenHash, row.userId, row.emailNormalized, row.createdAt, row.expiresAt],
      );
    },
    async isLive(tokenHash, now) {
      const rows = await db.query('SELECT 1 FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2', [tokenHash, now]);
      return rows.length === 1;
    },
    async consume(tokenHash, passwordHash, now) {
      // One statement: a link used twice in parallel sets one password; the user's other links die with it; a
      // link sent to a previous address, or to an account since disabled, sets nothing.
      const rows = await db.query<UserRow>(
        `WITH used AS (
           UPDATE password_resets SET used_at = $3
           WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $3
           RETURNING user_id, email_normalized
         ), others AS (
           UPDATE password_resets r SET used_at = $3 FROM used
           WHERE r.user_id = used.user_id AND r.used_at IS NULL AND r.token_hash <> $1
         )
         UPDATE users u SET password_hash = $2, email_verified_at = coalesce(u.email_verified_at, $3), updated_at = $3
         FROM used WHERE u.id = used.user_id AND u.email_normalized = used.email_normalized AND u.disabled_at IS NULL
         RETURNING u.*`,
        [tokenHash, passwordHash, now],
      );
      return rows[0] ? toUserRecord(rows[0]) : null;
    },
  };
}
