import type { ClaimedDelivery, WebhookDelivery, WebhookEndpoint, WebhookKind, WebhookStore } from '../core/admin/webhooks.ts';
import type { Queryable } from './db.ts';

interface EndpointRow {
  id: string;
  url: string;
  kinds: string[];
  created_at: Date;
  last_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  last_success_at: Date | null;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  kind: string;
  created_at: Date;
  attempts: number;
  next_attempt_at: Date;
  delivered_at: Date | null;
  given_up_at: Date | null;
  last_status: number | null;
  last_error: string | null;
}

const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  url: r.url,
  kinds: r.kinds as WebhookKind[],
  createdAt: r.created_at,
  lastAttemptAt: r.last_attempt_at,
  lastStatus: r.last_status,
  lastError: r.last_error,
  lastSuccessAt: r.last_success_at,
});

const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  kind: r.kind as WebhookKind,
  createdAt: r.created_at,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  deliveredAt: r.delivered_at,
  givenUpAt: r.given_up_at,
  lastStatus: r.last_status,
  lastError: r.last_error,
});

const DELIVERY_COLUMNS = 'd.id, d.endpoint_id, d.kind, d.created_at, d.attempts, d.next_attempt_at, d.delivered_at, d.given_up_at, d.last_status, d.last_error';

export function createWebhookStore(db: Queryable): WebhookStore {
  return {
    async insert(e, secretSealed) {
      await db.query('INSERT INTO webhook_endpoints (id, url, kinds, secret_sealed, created_at) VALUES ($1, $2, $3::text[], $4, $5)', [
        e.id,
        e.url,
        e.kinds,
        secretSealed,
        e.createdAt,
      ]);
    },
    async list() {
      const rows = await db.query<EndpointRow>(
        `SELECT id, url, kinds, created_at, last_attempt_at, last_status, last_error, last_success_at FROM webhook_endpoints
          WHERE removed_at IS NULL ORDER BY created_at, id`,
      );
      return rows.map(toEndpoint);
    },
    async remove(id, now) {
      const rows = await db.query('UPDATE webhook_endpoints SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL RETURNING id', [id, now]);
      if (rows.length === 1) await db.query('UPDATE webhook_deliveries SET given_up_at = $2 WHERE endpoint_id = $1 AND delivered_at IS NULL AND given_up_at IS NULL', [id, now]);
      return rows.length === 1;
    },
    async deliveries(endpointId, limit) {
      const rows = await db.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.endpoint_id = $1 ORDER BY d.created_at DESC LIMIT $2`, [
        endpointId,
        limit,
      ]);
      return rows.map(toDelivery);
    },
    async claimDue(now, limit, leaseSeconds) {
      // One statement: the rows are locked as they are picked (SKIP LOCKED: another instance picks others), and
      // the lease keeps them from being picked again while this sender works on them.
      const rows = await db.query<DeliveryRow & { url: string; secret_sealed: string; body: string }>(
        `UPDATE webhook_deliveries d SET claimed_until = $1::timestamptz + make_interval(secs => $3), attempts = d.attempts + 1
           FROM webhook_endpoints w
          WHERE w.id = d.endpoint_id AND d.id IN (
                SELECT id FROM webhook_deliveries
                 WHERE delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
                 ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING ${DELIVERY_COLUMNS}, w.url, w.secret_sealed, d.payload::text AS body`,
        [now, limit, leaseSeconds],
      );
      return rows.map((r): ClaimedDelivery => ({ delivery: toDelivery(r), url: r.url, secretSealed: r.secret_sealed, body: r.body }));
    },
    async recordAttempt(id, now, outcome) {
      await db.query(
        `WITH d AS (
           UPDATE webhook_deliveries SET claimed_until = NULL, last_status = $3, last_error = $4,
                  delivered_at = CASE WHEN $5 THEN $2::timestamptz END,
                  next_attempt_at = coalesce($6, next_attempt_at),
                  given_up_at = CASE WHEN NOT $5 AND $6::timestamptz IS NULL THEN $2::timestamptz END
            WHERE id = $1 RETURNING endpoint_id)
         UPDATE webhook_endpoints w SET last_attempt_at = $2, last_status = $3, last_error = $4,
                last_success_at = CASE WHEN $5 THEN $2::timestamptz ELSE w.last_success_at END
           FROM d WHERE w.id = d.endpoint_id`,
        [id, now, outcome.status, outcome.error, outcome.delivered, outcome.retryAt],
      );
    },
  };
}
