import type { AdminDirectoryStore, UserFactorStatus } from '../core/admin/directory.ts';
import type { Queryable } from './db.ts';
import { toUserRecord, type UserRow } from './user-store.ts';

/**
 * Each factor's state as columns of the user's row ($1: now). Last use of a code factor comes from the audit log
 * (`challenge_passed` by method), which the (user_id, created_at) index answers per user. No secret, no hash.
 */
const STATUS_COLUMNS = `
  (SELECT json_build_object('set_at', coalesce(c.activated_at, c.created_at)) FROM totp_credentials c
     WHERE c.user_id = u.id AND c.state IN ('active', 'armed') ORDER BY c.state LIMIT 1) AS s_totp,
  (SELECT max(e.created_at) FROM security_events e WHERE e.user_id = u.id AND e.kind = 'challenge_passed' AND e.details->>'method' = 'totp') AS s_totp_used,
  (SELECT max(e.created_at) FROM security_events e WHERE e.user_id = u.id AND e.kind = 'challenge_passed' AND e.details->>'method' = 'email') AS s_email_used,
  (SELECT coalesce(json_agg(json_build_object('id', w.id, 'name', w.name, 'created_at', w.created_at, 'last_used_at', w.last_used_at,
     'synced', w.device_type = 'multiDevice') ORDER BY w.created_at), '[]'::json) FROM webauthn_credentials w WHERE w.user_id = u.id) AS s_keys,
  (SELECT json_build_object('remaining', count(*) FILTER (WHERE b.used_at IS NULL), 'set_at', min(b.created_at), 'last_used_at', max(b.used_at))
     FROM backup_codes b WHERE b.user_id = u.id HAVING count(*) > 0) AS s_backup,
  (SELECT count(*)::int FROM trusted_devices d WHERE d.user_id = u.id AND d.revoked_at IS NULL AND d.expires_at > $1) AS s_devices,
  (SELECT count(*)::int FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > $1) AS s_sessions`;

/** A user has a second factor: an authenticator in effect, email codes on a verified address, or a key. */
const HAS_FACTOR = `(EXISTS (SELECT 1 FROM totp_credentials c WHERE c.user_id = u.id AND c.state IN ('active', 'armed'))
  OR (u.email_2fa_enabled_at IS NOT NULL AND u.email_verified_at IS NOT NULL)
  OR EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = u.id))`;

interface StatusColumns {
  s_totp: { set_at: string } | null;
  s_totp_used: Date | null;
  s_email_used: Date | null;
  s_keys: Array<{ id: string; name: string; created_at: string; last_used_at: string | null; synced: boolean }>;
  s_backup: { remaining: number; set_at: string; last_used_at: string | null } | null;
  s_devices: number;
  s_sessions: number;
}

const date = (value: string | Date | null | undefined) => (value === null || value === undefined ? null : new Date(value));

function toStatus(row: UserRow & StatusColumns & { factor_locked_until: Date | null }, now: Date): UserFactorStatus {
  const user = toUserRecord(row);
  const emailOn = user.emailTwoFactorEnabledAt !== null && user.emailVerifiedAt !== null;
  return {
    user,
    totp: row.s_totp ? { setAt: new Date(row.s_totp.set_at), lastUsedAt: row.s_totp_used } : null,
    email: emailOn ? { setAt: user.emailTwoFactorEnabledAt!, lastUsedAt: row.s_email_used } : null,
    passkeys: row.s_keys.map((k) => ({ id: k.id, name: k.name, createdAt: new Date(k.created_at), lastUsedAt: date(k.last_used_at), synced: k.synced })),
    backupCodes: row.s_backup ? { remaining: row.s_backup.remaining, setAt: new Date(row.s_backup.set_at), lastUsedAt: date(row.s_backup.last_used_at) } : null,
    rememberedDevices: row.s_devices,
    liveSessions: row.s_sessions,
    lockedUntil: row.factor_locked_until && row.factor_locked_until > now ? row.factor_locked_until : null,
  };
}

/** `%`, `_` and `\` typed in a search are meant literally. */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createAdminDirectoryStore(db: Queryable): AdminDirectoryStore {
  type Row = UserRow & StatusColumns & { factor_locked_until: Date | null };
  return {
    async search(query, now) {
      const rows = await db.query<Row>(
        `SELECT u.*, ${STATUS_COLUMNS} FROM users u
          WHERE ($2 = '' OR u.email_normalized LIKE $3 OR lower(coalesce(u.username, '')) LIKE $3)
            AND ($4::boolean IS NULL OR ${HAS_FACTOR} = $4::boolean)
          ORDER BY u.created_at, u.id LIMIT $5 OFFSET $6`,
        [now, query.search, likePattern(query.search), query.hasSecondFactor ?? null, query.limit, query.offset],
      );
      return rows.map((row) => toStatus(row, now));
    },
    async status(userId, now) {
      const rows = await db.query<Row>(`SELECT u.*, ${STATUS_COLUMNS} FROM users u WHERE u.id = $2`, [now, userId]);
      return rows[0] ? toStatus(rows[0], now) : null;
    },
    async secondFactorCounts() {
      const [row] = await db.query<{ with: number; without: number }>(
        `SELECT count(*) FILTER (WHERE ${HAS_FACTOR})::int AS with, count(*) FILTER (WHERE NOT ${HAS_FACTOR})::int AS without FROM users u`,
      );
      return { with: row?.with ?? 0, without: row?.without ?? 0 };
    },
  };
}
