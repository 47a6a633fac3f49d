import pg from 'pg';
import { TwofoldError } from '../core/errors.ts';
import type { Db, Queryable } from './db.ts';
import { translateDbError } from './db-errors.ts';

export interface PgOptions {
  connectionString: string;
  poolSize: number;
  onError?: (error: Error) => void;
}

/** node-postgres pool. Fails fast when the server is away, so requests answer 503 instead of hanging. */
export function createPgDb(options: PgOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection emits here; without a listener the process would crash.
  pool.on('error', (error) => options.onError?.(error));

  const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params?: readonly unknown[]) {
      try {
        return (await client.query(sql, params as unknown[])).rows as Row[];
      } catch (error) {
        return translateDbError(error);
      }
    },
    async exec(sql: string) {
      try {
        await client.query(sql);
      } catch (error) {
        translateDbError(error);
      }
    },
  });

  async function withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      return translateDbError(error);
    }
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (error) {
      if (error instanceof TwofoldError && error.code === 'database_unavailable') broken = error;
      throw error;
    } finally {
      // A client whose connection failed mid-way must not go back into the pool.
      client.release(broken);
    }
  }

  return {
    driver: 'pg',
    ...wrap(pool),
    transaction(fn) {
      return withClient(async (client) => {
        const tx = wrap(client);
        await tx.exec('BEGIN');
        try {
          const result = await fn(tx);
          await tx.exec('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
    },
    withConnection(fn) {
      return withClient((client) => fn(wrap(client)));
    },
    async close() {
      await pool.end();
    },
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
