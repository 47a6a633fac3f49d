import { combineAmr, type AmrValue } from '../core/sessions/amr.ts';
import type { Session } from '../core/sessions/session.ts';
import type { SessionStore } from '../core/sessions/store.ts';
import { eventsInsert, eventsJson } from './audit-store.ts';
import type { Queryable } from './db.ts';
import { toUserRecord, type UserRow } from './user-store.ts';

interface SessionRow {
  id: string;
  user_id: string;
  client: Session['client'];
  ip: string | null;
  user_agent: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  second_factor_at: Date | null;
  second_factor_ip: string | null;
  second_factor_user_agent: string | null;
  password_at: Date;
  amr: string[];
}

const SESSION_COLUMNS =
  'id, user_id, client, ip, user_agent, created_at, last_seen_at, expires_at, revoked_at, second_factor_at, second_factor_ip, second_factor_user_agent, password_at, amr';

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    client: row.client,
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    secondFactorAt: row.second_factor_at,
    secondFactorIp: row.second_factor_ip,
    secondFactorUserAgent: row.second_factor_user_agent,
    passwordAt: row.password_at,
    amr: combineAmr([], row.amr as AmrValue[]),
  };
}

export function createSessionStore(db: Queryable): SessionStore {
  return {
    async insert(s, events = []) {
      const insert = `INSERT INTO sessions (id, user_id, token_hash, client, ip, user_agent, created_at, last_seen_at, expires_at,
                               second_factor_at, second_factor_ip, second_factor_user_agent, password_at, amr)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, CASE WHEN $9::timestamptz IS NOT NULL THEN $5 END,
                 CASE WHEN $9::timestamptz IS NOT NULL THEN $6 END, $7, $10::text[]) RETURNING ${SESSION_COLUMNS}`;
      const params = [s.id, s.userId, s.tokenHash, s.client, s.ip, s.userAgent, s.createdAt, s.expiresAt, s.secondFactorAt, s.amr];
      // With its events: one statement (a data-modifying CTE), so one round trip and one commit; the events
      // become links of their chains by the table's trigger, as any insert does.
      const rows =
        events.length === 0
          ? await db.query<SessionRow>(insert, params)
          : await db.query<SessionRow>(`WITH s AS (${insert}), e AS (${eventsInsert('$11')}) SELECT * FROM s`, [...params, JSON.stringify(eventsJson(events))]);
      return toSession(rows[0]!);
    },
    async findByTokenHash(tokenHash) {
      const rows = await db.query<{ s: SessionRow; u: UserRow }>(
        // Migration 0018: the join planned once per connection, not per request.
        'SELECT row_to_json(f.s) AS s, row_to_json(f.u) AS u FROM twofold_session_by_token($1) f',
        [tokenHash],
      );
      const row = rows[0];
      return row ? { session: toSession(reviveDates(row.s)), user: toUserRecord(reviveDates(row.u)) } : null;
    },
    async touchMany(seen) {
      if (seen.length === 0) return;
      // SKIP LOCKED: two instances writing overlapping batches never wait on (or deadlock with) each other.
      await db.query(
        `WITH seen AS (SELECT * FROM unnest($1::uuid[], $2::timestamptz[]) AS v (id, at)),
              held AS (SELECT s.id, seen.at FROM sessions s JOIN seen ON s.id = seen.id
                       WHERE s.last_seen_at < seen.at FOR UPDATE OF s SKIP LOCKED)
         UPDATE sessions s SET last_seen_at = held.at FROM held WHERE s.id = held.id`,
        [seen.map((s) => s.id), seen.map((s) => s.at)],
      );
    },
    async listForUser(userId, now) {
      const rows = await db.query<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
         ORDER BY last_seen_at DESC`,
        [userId, now],
      );
      return rows.map(toSession);
    },
    async revoke(id, userId, now) {
      const rows = await db.query('UPDATE sessions SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id', [
        id,
        userId,
        now,
      ]);
      return rows.length === 1;
    },
    async revokeAllForUser(userId, now, exceptSessionId) {
      const rows = await db.query(
        `UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL
         AND ($3::uuid IS NULL OR id <> $3::uuid) RETURNING id`,
        [userId, now, exceptSessionId ?? null],
      );
      return rows.length;
    },
  };
}

/** row_to_json turns timestamps into strings; bring back the Dates the records promise. */
function reviveDates<T extends object>(row: T): T {
  const out = { ...row } as Record<string, unknown>;
  for (const key of Object.keys(out)) {
    if (key.endsWith('_at') && typeof out[key] === 'string') out[key] = new Date(out[key] as string);
  }
  return out as T;
}
