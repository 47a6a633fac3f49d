import type { AuditStore, SecurityEvent } from '../core/audit/events.ts';
import type { Queryable } from './db.ts';

/** Events as rows of JSON, the shape `eventsInsert` (and the answer writes of migration 0008) read. */
export const eventsJson = (events: readonly SecurityEvent[]) =>
  events.map((e) => ({ id: e.id, user_id: e.userId, kind: e.kind, client: e.client, ip: e.ip, user_agent: e.userAgent, details: e.details, created_at: e.createdAt }));

/** Inserts the events of a JSON array parameter (`eventsJson`), inside a larger statement. */
export const eventsInsert = (param: string) =>
  `INSERT INTO security_events (id, user_id, kind, client, ip, user_agent, details, created_at)
   SELECT e.id, e.user_id, e.kind, e.client, e.ip, e.user_agent, coalesce(e.details, '{}'::jsonb), e.created_at
     FROM jsonb_to_recordset(${param}::jsonb) AS e(id uuid, user_id uuid, kind text, client text, ip text, user_agent text, details jsonb, created_at timestamptz)`;

interface Row {
  id: string;
  user_id: string | null;
  kind: SecurityEvent['kind'];
  client: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown> | string;
  created_at: Date;
}

function toEvent(row: Row): SecurityEvent {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    client: row.client,
    ip: row.ip,
    userAgent: row.user_agent,
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : row.details,
    createdAt: row.created_at,
  };
}

export function createAuditStore(db: Queryable): AuditStore {
  return {
    async append(e) {
      await db.query(
        `INSERT INTO security_events (id, user_id, kind, client, ip, user_agent, details, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
        [e.id, e.userId, e.kind, e.client, e.ip, e.userAgent, JSON.stringify(e.details), e.createdAt],
      );
    },
    async listForUser(userId, { limit, before }) {
      const rows = await db.query<Row>(
        `SELECT * FROM security_events WHERE user_id = $1 AND ($2::timestamptz IS NULL OR created_at < $2)
         ORDER BY created_at DESC, id LIMIT $3`,
        [userId, before ?? null, limit],
      );
      return rows.map(toEvent);
    },
    async query({ userId, kind, since, limit }) {
      const rows = await db.query<Row>(
        `SELECT * FROM security_events
         WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::timestamptz IS NULL OR created_at >= $3)
         ORDER BY created_at DESC, id LIMIT $4`,
        [userId ?? null, kind ?? null, since ?? null, limit],
      );
      return rows.map(toEvent);
    },
  };
}
