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
  // A window that has ended restarts in place at the next hit, and none lasts over a day (RATE_LIMIT_*, src/config.ts).
  { table: 'rate_limits', key: 'key', expiresAt: "window_start + interval '1 day'" },
];

/**
 * How long an expired row is kept: a request that read it just before it expired still finds it when it writes,
 * and a late answer is told "expired" rather than "unknown".
 */
export const PURGE_GRACE_SECONDS = 3600;

/** Rows per DELETE: each statement locks and writes a bounded amount, however much has piled up. */
export const PURGE_BATCH_ROWS = 1000;

/** Arbitrary constant naming "the purge" among advisory locks (the migration lock is another). */
const PURGE_LOCK_KEY = 7_302_446_520;

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
 * Deletes rows past their expiry plus the grace, table by table, in batches. Rows another transaction has locked
 * are skipped (`SKIP LOCKED`), so two purges at once delete each row once and never wait on a sign-in; the
 * grace keeps live rows out of reach. Safe without the lock; `purgeExclusively` adds it so instances take turns.
 */
export async function purgeExpired(db: Db, options: PurgeOptions): Promise<PurgeCounts> {
  const cutoff = new Date(options.now.getTime() - PURGE_GRACE_SECONDS * 1000);
  const batch = options.batchRows ?? PURGE_BATCH_ROWS;
  const counts: PurgeCounts = {};
  for (const { table, key, expiresAt } of EXPIRING) {
    if (options.dryRun) {
      counts[table] = await count(db, `SELECT count(*)::int AS n FROM ${table} WHERE ${expiresAt} < $1`, [cutoff]);
      continue;
    }
    counts[table] = await inBatches(batch, table, options, () =>
      count(
        db,
        `WITH doomed AS (SELECT ${key} FROM ${table} WHERE ${expiresAt} < $1 LIMIT $2 FOR UPDATE SKIP LOCKED),
              gone AS (DELETE FROM ${table} t USING doomed WHERE t.${key} = doomed.${key} RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [cutoff, batch],
      ),
    );
  }
  if (options.eventsRetentionDays !== undefined) {
    const before = new Date(options.now.getTime() - options.eventsRetentionDays * 86_400_000);
    counts.security_events = options.dryRun
      ? await count(db, 'SELECT count(*)::int AS n FROM security_events WHERE created_at < $1', [before])
      : await inBatches(batch, 'security_events', options, () => deleteOldestEvents(db, before, batch));
  }
  return counts;
}

/**
 * `purgeExpired` by one instance at a time (a session advisory lock). `wait: false` (the periodic job) gives up
 * and answers null when another instance is purging; `wait: true` (the command) waits its turn.
 */
export async function purgeExclusively(db: Db, options: PurgeOptions & { wait: boolean }): Promise<PurgeCounts | null> {
  if (options.dryRun) return purgeExpired(db, options);
  return db.withConnection(async (conn) => {
    if (options.wait) await conn.query('SELECT pg_advisory_lock($1)', [PURGE_LOCK_KEY]);
    else {
      const [row] = await conn.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PURGE_LOCK_KEY]);
      if (!row?.locked) return null;
    }
    try {
      return await purgeExpired(db, options);
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [PURGE_LOCK_KEY]);
    }
  });
}

/**
 * The audit log is append-only; its trigger lets a transaction delete only events older than the cutoff it declares
 * (migration 0011). The oldest go first, so what is left is always the log from some moment on.
 */
function deleteOldestEvents(db: Db, before: Date, batch: number): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('twofold.events_retention_cutoff', $1, true)`, [before.toISOString()]);
    return count(
      tx,
      `WITH doomed AS (SELECT id FROM security_events WHERE created_at < $1 ORDER BY created_at, id LIMIT $2 FOR UPDATE),
            gone AS (DELETE FROM security_events e USING doomed WHERE e.id = doomed.id RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [before, batch],
    );
  });
}

async function inBatches(batch: number, table: string, options: PurgeOptions, deleteOne: () => Promise<number>): Promise<number> {
  let total = 0;
  while (!options.signal?.aborted) {
    const deleted = await deleteOne();
    total += deleted;
    if (deleted > 0) options.onDeleted?.(table, deleted);
    if (deleted < batch) break;
  }
  return total;
}

async function count(db: Pick<Db, 'query'>, sql: string, params: unknown[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql, params);
  return row?.n ?? 0;
}
