import type { Db } from './db.ts';

/** A table whose rows die; `expiresAt` is the SQL expression of the moment a row is of no more use. */
interface Expiring {
  table: string;
  key: string;
  expiresAt: string;
}

/** Every table whose rows expire. A new one is one line here. */
export const EXPIRING: readonly Expiring[] = [
  { table: 'sessions', key: 'id', expiresAt: 'expires_at' },
  { table: 'login_transactions', key: 'id_hash', expiresAt: 'expires_at' },
  { table: 'email_codes', key: 'id', expiresAt: 'expires_at' },
  { table: 'trusted_devices', key: 'id', expiresAt: 'expires_at' },
  { table: 'webauthn_challenges', key: 'challenge_hash', expiresAt: 'expires_at' },
  { table: 'qr_links', key: 'id_hash', expiresAt: 'expires_at' },
  { table: 'email_verifications', key: 'token_hash', expiresAt: 'expires_at' },
  { table: 'password_resets', key: 'token_hash', expiresAt: 'expires_at' },
  // A window that has ended restarts in place at the next hit, and none lasts over a day (RATE_LIMIT_*, src/config.ts).
  { table: 'rate_limits', key: 'key', expiresAt: "window_start + interval '1 day'" },
  // A settled factor change (applied, failed or vetoed) matters while its veto link may still be followed (it locks
  // the account even after the change took effect); a pending one never expires here (NULL): the applier settles it.
  { table: 'factor_changes', key: 'id', expiresAt: "CASE WHEN status <> 'pending' THEN greatest(settled_at, veto_until) END" },
];

/**
 * How long an expired row is kept: a request that read it just before it expired still finds it when it writes,
 * and a late answer is told "expired" rather than "unknown".
 */
export const PURGE_GRACE_SECONDS = 3600;

/** Rows per DELETE: each statement locks and writes a bounded amount, however much has piled up. */
export const PURGE_BATCH_ROWS = 1000;

/** Arbitrary constant naming "the purge" among advisory locks (the migration lock is another). */
export const PURGE_LOCK_KEY = 7_302_446_520;

export interface PurgeOptions {
  now: Date;
  /** Count what would go, delete nothing. */
  dryRun?: boolean;
  batchRows?: number;
  /** Delete security events older than this many days (oldest first); undefined keeps them all. */
  eventsRetentionDays?: number | undefined;
  /** Called after each batch that deleted rows (metrics). */
  onDeleted?: (table: string, rows: number) => void;
  /** Stops between batches (server shutdown); what was deleted stays deleted. */
  signal?: AbortSignal;
}

/** Rows deleted (or, dry, that would be) per table. */
export type PurgeCounts = Record<string, number>;

/**
 * Deletes rows past their expiry plus the grace, table by table, in batches of one short transaction each. Rows
 * another transaction has locked are skipped (`SKIP LOCKED`), so two purges at once delete each row once and never
 * wait on a sign-in; the grace keeps live rows out of reach. The turn is a transaction-level advisory lock taken by
 * each batch (no session state: safe behind PgBouncer's transaction pooling). Answers null when `lock: 'try'` found
 * another instance purging before it deleted anything; one that finds it later stops there and answers its counts.
 */
export async function purgeExpired(db: Db, options: PurgeOptions & { lock: 'try' }): Promise<PurgeCounts | null>;
export async function purgeExpired(db: Db, options: PurgeOptions & { lock?: 'wait' }): Promise<PurgeCounts>;
/**
 * `lock`: instances take turns. `try` (the periodic job) gives up when another instance is purging, `wait` (the
 * command) waits for each of its batches' turn; without, no lock (SKIP LOCKED alone keeps concurrent purges correct).
 */
export async function purgeExpired(db: Db, options: PurgeOptions & { lock?: 'try' | 'wait' }): Promise<PurgeCounts | null> {
  const cutoff = new Date(options.now.getTime() - PURGE_GRACE_SECONDS * 1000);
  const batch = options.batchRows ?? PURGE_BATCH_ROWS;
  const counts: PurgeCounts = {};
  const jobs: Array<{ table: string; count: string; remove: string; params: unknown[]; eventsBefore?: Date }> = EXPIRING.map(({ table, key, expiresAt }) => ({
    table,
    count: `SELECT count(*)::int AS n FROM ${table} WHERE ${expiresAt} < $1`,
    remove: `WITH doomed AS (SELECT ${key} FROM ${table} WHERE ${expiresAt} < $1 LIMIT $2 FOR UPDATE SKIP LOCKED),
                  gone AS (DELETE FROM ${table} t USING doomed WHERE t.${key} = doomed.${key} RETURNING 1)
             SELECT count(*)::int AS n FROM gone`,
    params: [cutoff],
  }));
  if (options.eventsRetentionDays !== undefined) {
    const before = new Date(options.now.getTime() - options.eventsRetentionDays * 86_400_000);
    // Per chain, its oldest links up to the first one newer than the cutoff (a prefix: migration 0011 refuses
    // anything else), lowest places first; no SKIP LOCKED, so a batch never leaves a hole behind a locked link.
    const prunable = `old AS (SELECT DISTINCT chain FROM security_events WHERE created_at < $1),
      bounds AS (SELECT o.chain, (SELECT min(n.seq) FROM security_events n WHERE n.chain = o.chain AND n.created_at >= $1) AS keep_from FROM old o),
      prunable AS (SELECT e.id, e.chain, e.seq FROM security_events e JOIN bounds b ON b.chain = e.chain
                    WHERE e.created_at < $1 AND (b.keep_from IS NULL OR e.seq < b.keep_from))`;
    jobs.push({
      table: 'security_events',
      count: `WITH ${prunable} SELECT count(*)::int AS n FROM prunable`,
      remove: `WITH ${prunable},
                    doomed AS (SELECT e.id FROM security_events e JOIN prunable p ON p.id = e.id ORDER BY p.chain, p.seq LIMIT $2 FOR UPDATE OF e),
                    gone AS (DELETE FROM security_events e USING doomed WHERE e.id = doomed.id RETURNING 1)
               SELECT count(*)::int AS n FROM gone`,
      params: [before],
      eventsBefore: before,
    });
  }

  for (const job of jobs) {
    if (options.dryRun) {
      counts[job.table] = await count(db, job.count, job.params);
      continue;
    }
    let total = 0;
    counts[job.table] = 0;
    while (!options.signal?.aborted) {
      const deleted = await db.transaction(async (tx) => {
        if (options.lock === 'wait') await tx.query('SELECT pg_advisory_xact_lock($1)', [PURGE_LOCK_KEY]);
        if (options.lock === 'try') {
          const [row] = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [PURGE_LOCK_KEY]);
          if (!row?.locked) return null;
        }
        // The audit log's trigger lets a transaction delete only events older than the cutoff it declares (0011).
        if (job.eventsBefore) await tx.query(`SELECT set_config('twofold.events_retention_cutoff', $1, true)`, [job.eventsBefore.toISOString()]);
        return count(tx, job.remove, [...job.params, batch]);
      });
      if (deleted === null) return Object.values(counts).some((n) => n > 0) ? counts : null;
      counts[job.table] = total += deleted;
      if (deleted > 0) options.onDeleted?.(job.table, deleted);
      if (deleted < batch) break;
    }
  }
  return counts;
}

async function count(db: Pick<Db, 'query'>, sql: string, params: unknown[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql, params);
  return row?.n ?? 0;
}
