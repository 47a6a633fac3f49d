import type { ChallengeBinding, WebAuthnCredential, WebAuthnStore } from '../core/factors/webauthn/store.ts';
import type { Queryable } from './db.ts';
import { isUniqueViolation } from './db-errors.ts';

interface CredentialRow {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: string | number;
  transports: string[];
  device_type: WebAuthnCredential['deviceType'];
  backed_up: boolean;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

/** A user's keys have distinct names, letter case aside (migration 0021). */
const NAME_KEY = 'webauthn_credentials_user_name_key';

const COLUMNS = 'id, user_id, credential_id, public_key, counter, transports, device_type, backed_up, name, created_at, last_used_at';

function toCredential(row: CredentialRow): WebAuthnCredential {
  return {
    id: row.id,
    userId: row.user_id,
    credentialId: row.credential_id,
    publicKey: new Uint8Array(row.public_key),
    counter: Number(row.counter),
    transports: row.transports,
    deviceType: row.device_type,
    backedUp: row.backed_up,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

/** A challenge matches when it was issued for the same user, purpose and (for logins) transaction. */
const CHALLENGE_MATCHES =
  'challenge_hash = $1 AND user_id = $2 AND purpose = $3 AND bound_hash IS NOT DISTINCT FROM $4 AND used_at IS NULL AND expires_at > $5';

const matching = (challengeHash: Buffer, binding: ChallengeBinding, now: Date) => [challengeHash, binding.userId, binding.purpose, binding.boundTo ?? null, now];

export function createWebAuthnStore(db: Queryable): WebAuthnStore {
  return {
    async insert(c) {
      try {
        await db.query(
          `INSERT INTO webauthn_credentials (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [c.id, c.userId, c.credentialId, Buffer.from(c.publicKey), c.counter, c.transports, c.deviceType, c.backedUp, c.name, c.createdAt, c.lastUsedAt],
        );
        return 'inserted';
      } catch (error) {
        if (isUniqueViolation(error)) return error.constraint === NAME_KEY ? 'name_taken' : 'duplicate';
        throw error;
      }
    },
    async listForUser(userId) {
      const rows = await db.query<CredentialRow>(`SELECT ${COLUMNS} FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at, id`, [userId]);
      return rows.map(toCredential);
    },
    async countForUser(userId) {
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webauthn_credentials WHERE user_id = $1', [userId]);
      return rows[0]?.n ?? 0;
    },
    async findByCredentialId(credentialId) {
      const rows = await db.query<CredentialRow>(`SELECT ${COLUMNS} FROM webauthn_credentials WHERE credential_id = $1`, [credentialId]);
      return rows[0] ? toCredential(rows[0]) : null;
    },
    async rename(id, userId, name) {
      // The unique index (migration 0021) judges the name, a parallel write's too; no row is another user's key.
      try {
        const rows = await db.query('UPDATE webauthn_credentials SET name = $3 WHERE id = $1 AND user_id = $2 RETURNING 1', [id, userId, name]);
        return rows.length === 1 ? 'renamed' : 'not_found';
      } catch (error) {
        if (isUniqueViolation(error) && error.constraint === NAME_KEY) return 'name_taken';
        throw error;
      }
    },
    async remove(id, userId) {
      return (await db.query('DELETE FROM webauthn_credentials WHERE id = $1 AND user_id = $2 RETURNING 1', [id, userId])).length === 1;
    },
    async removeAll(userId) {
      return (await db.query('DELETE FROM webauthn_credentials WHERE user_id = $1 RETURNING 1', [userId])).length;
    },
    async saveChallenge(challengeHash, binding, now, expiresAt) {
      // The user's spent and expired challenges go in the same statement, so the table stays small.
      await db.query(
        `WITH spent AS (DELETE FROM webauthn_challenges WHERE user_id = $2 AND (used_at IS NOT NULL OR expires_at <= $5))
         INSERT INTO webauthn_challenges (challenge_hash, user_id, purpose, bound_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [challengeHash, binding.userId, binding.purpose, binding.boundTo ?? null, now, expiresAt],
      );
    },
    async consumeChallenge(challengeHash, binding, now) {
      const rows = await db.query(`UPDATE webauthn_challenges SET used_at = $5 WHERE ${CHALLENGE_MATCHES} RETURNING 1`, matching(challengeHash, binding, now));
      return rows.length === 1;
    },
    async isChallengeLive(challengeHash, binding, now) {
      return (await db.query(`SELECT 1 FROM webauthn_challenges WHERE ${CHALLENGE_MATCHES}`, matching(challengeHash, binding, now))).length === 1;
    },
  };
}
