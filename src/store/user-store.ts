import { TwofoldError } from '../core/errors.ts';
import type { EmailVerificationStore, UserStore } from '../core/users/store.ts';
import type { UserRecord } from '../core/users/user.ts';
import type { Queryable } from './db.ts';
import { isUniqueViolation } from './db-errors.ts';

/** A `users` row as the drivers return it. */
export interface UserRow {
  id: string;
  email: string;
  email_normalized: string;
  username: string | null;
  password_hash: string;
  email_verified_at: Date | null;
  disabled_at: Date | null;
  email_2fa_enabled_at: Date | null;
  roles: string[] | null;
  setup_due_at: Date | null;
  locked_by_owner_at?: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    emailNormalized: row.email_normalized,
    username: row.username,
    passwordHash: row.password_hash,
    emailVerifiedAt: row.email_verified_at,
    disabledAt: row.disabled_at,
    emailTwoFactorEnabledAt: row.email_2fa_enabled_at,
    roles: row.roles ?? [],
    setupDueAt: row.setup_due_at ?? null,
    lockedByOwnerAt: row.locked_by_owner_at ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const one = (rows: UserRow[]) => (rows[0] ? toUserRecord(rows[0]) : null);

export function createUserStore(db: Queryable): UserStore {
  return {
    async insert(user) {
      try {
        const rows = await db.query<UserRow>(
          `INSERT INTO users (id, email, email_normalized, username, password_hash, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *`,
          [user.id, user.email, user.emailNormalized, user.username, user.passwordHash, user.createdAt],
        );
        return toUserRecord(rows[0]!);
      } catch (error) {
        if (isUniqueViolation(error)) throw new TwofoldError('user_exists');
        throw error;
      }
    },
    async findById(id) {
      return one(await db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]));
    },
    async findByEmail(emailNormalized) {
      return one(await db.query<UserRow>('SELECT * FROM users WHERE email_normalized = $1', [emailNormalized]));
    },
    async findByUsername(username) {
      return one(await db.query<UserRow>('SELECT * FROM users WHERE lower(username) = lower($1)', [username]));
    },
    async list({ limit, offset }) {
      const rows = await db.query<UserRow>('SELECT * FROM users ORDER BY created_at, id LIMIT $1 OFFSET $2', [limit, offset]);
      return rows.map(toUserRecord);
    },
    async setDisabled(id, disabledAt, now) {
      return one(await db.query<UserRow>('UPDATE users SET disabled_at = $2, updated_at = $3 WHERE id = $1 RETURNING *', [id, disabledAt, now]));
    },
    async setEmailVerified(id, verifiedAt, now) {
      return one(
        await db.query<UserRow>('UPDATE users SET email_verified_at = $2, updated_at = $3 WHERE id = $1 RETURNING *', [id, verifiedAt, now]),
      );
    },
    async setEmailTwoFactor(id, enabledAt, now) {
      return one(
        await db.query<UserRow>('UPDATE users SET email_2fa_enabled_at = $2, updated_at = $3 WHERE id = $1 RETURNING *', [id, enabledAt, now]),
      );
    },
    async setPasswordHash(id, passwordHash, now) {
      await db.query('UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1', [id, passwordHash, now]);
    },
    async delete(id) {
      return (await db.query('DELETE FROM users WHERE id = $1 RETURNING id', [id])).length === 1;
    },
  };
}

export function createEmailVerificationStore(db: Queryable): EmailVerificationStore {
  return {
    async insert(row) {
      await db.query(
        `INSERT INTO email_verifications (token_hash, user_id, email_normalized, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [row.tokenHash, row.userId, row.emailNormalized, row.createdAt, row.expiresAt],
      );
    },
    async consume(tokenHash, now) {
      // One statement: a link used twice in parallel verifies once, and a link sent to a
      // previous address verifies nothing.
      const rows = await db.query<UserRow>(
        `WITH used AS (
           UPDATE email_verifications SET used_at = $2
           WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
           RETURNING user_id, email_normalized
         )
         UPDATE users u SET email_verified_at = coalesce(u.email_verified_at, $2), updated_at = $2
         FROM used WHERE u.id = used.user_id AND u.email_normalized = used.email_normalized
         RETURNING u.*`,
        [tokenHash, now],
      );
      return one(rows);
    },
  };
}
