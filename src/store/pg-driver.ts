import pg from 'pg';
import { DEFAULT_POOL_WAIT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from './pool-defaults.ts';
import { TwofoldError } from '../core/errors.ts';
import type { Db, Queryable } from './db.ts';
import { translateDbError } from './db-errors.ts';
import { remainingMs } from './deadline.ts';

export interface PgOptions {
  connectionString: string;
  poolSize: number;
  /** PostgreSQL's `statement_timeout` for every statement (0: none). */
  statementTimeoutMs?: number;
  /** Longest wait for a pooled connection: one coming free, or a new one being opened. */
  poolWaitMs?: number;
  onError?: (error: Error) => void;
}


/**
 * node-postgres pool, bounded in time everywhere so a missing, slow or locked database costs a request
 * a typed 503 in bounded time instead of a hang:
 * - `statement_timeout` is sent as a startup parameter (every autocommit statement on a direct connection)
 *   and again with `SET LOCAL` at the start of every transaction, the one form a transaction pooler such
 *   as PgBouncer carries to the server (it keeps no session state between transactions);
 * - waiting for a pooled connection is bounded (`server_busy`);
 * - under a deadline (`withDeadline`: a request, a DDP method, the readiness probe) a pool wait or a
 *   statement still running when it passes is given up: the caller gets `database_timeout` at once, and the
 *   connection, busy with a statement nobody waits for, is closed instead of going back to the pool.
 */
export function createPgDb(options: PgOptions): Db {
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: options.poolWaitMs ?? DEFAULT_POOL_WAIT_MS,
    idleTimeoutMillis: 30_000,
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
  });
  // An idle client losing its connection emits here; without a listener the process would crash.
  pool.on('error', (error) => options.onError?.(error));
  // Multi-statement simple query: one round trip, as a bare BEGIN was. Only a transaction-level setting
  // survives a transaction pooler.
  const begin = statementTimeoutMs > 0 ? `BEGIN; SET LOCAL statement_timeout = ${statementTimeoutMs}` : 'BEGIN';

  async function acquire(): Promise<pg.PoolClient> {
    const connecting = pool.connect();
    try {
      // Out of time while no connection came free: the pool, not the database, is the bottleneck.
      return await beforeDeadline(connecting, 'server_busy', (late) => late.release());
    } catch (error) {
      return translateDbError(error);
    }
  }

  /**
   * One checked-out connection. A statement given up on at the deadline may still be running on it, so that
   * connection is closed (which also rolls back its transaction) rather than handed back to the pool; one
   * that failed is dropped by the pool itself.
   */
  async function withClient<T>(fn: (conn: Queryable, abandoned: () => boolean) => Promise<T>): Promise<T> {
    const client = await acquire();
    // A checked-out connection that breaks between statements emits 'error'; unheard, that would end the
    // process. Its next statement fails instead, and the pool drops it when it comes back.
    client.on('error', ignore);
    let abandoned: TwofoldError | undefined;
    const conn: Queryable = {
      async query<Row>(sql: string, params?: readonly unknown[]) {
        try {
          return (await beforeDeadline(client.query(sql, params as unknown[]), 'database_timeout')).rows as Row[];
        } catch (error) {
          if (error instanceof TwofoldError) abandoned ??= error;
          return translateDbError(error);
        }
      },
      async exec(sql: string) {
        await conn.query(sql);
      },
    };
    try {
      return await fn(conn, () => abandoned !== undefined);
    } finally {
      client.off('error', ignore);
      client.release(abandoned);
    }
  }

  return {
    driver: 'pg',
    query: (sql, params) => withClient((conn) => conn.query(sql, params)),
    exec: (sql) => withClient((conn) => conn.exec(sql)),
    transaction(fn) {
      return withClient(async (tx, abandoned) => {
        try {
          await tx.exec(begin);
          const result = await fn(tx);
          await tx.exec('COMMIT');
          return result;
        } catch (error) {
          if (!abandoned()) await tx.exec('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
    },
    async close() {
      await pool.end();
    },
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}

const ignore = () => undefined;

/**
 * Waits for `work` until the current deadline, if there is one. Past it, rejects with `code`; `onLate`
 * then receives what `work` yields after all (a pooled connection to hand back).
 */
async function beforeDeadline<T>(work: Promise<T>, code: 'server_busy' | 'database_timeout', onLate?: (value: T) => void): Promise<T> {
  const leftMs = remainingMs();
  if (leftMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TwofoldError(code)), Math.max(0, leftMs));
  });
  try {
    return await Promise.race([work, expired]);
  } catch (error) {
    if (error instanceof TwofoldError && error.code === code) work.then(onLate, () => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
