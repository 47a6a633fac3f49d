// Behind PgBouncer in transaction pooling, consecutive statements may run on different server connections
// and nothing set for a session survives a transaction. What twofold needs from a session must therefore
// live inside one transaction: the migration lock (several instances start at once) and the statement
// timeout. Runs only in the PgBouncer pass (scripts/test.js), against TEST_PGBOUNCER_URL.
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createPgDb } from '../../src/store/pg-driver.ts';
import { withDeadline } from '../../src/store/deadline.ts';
import { loadMigrations, migrate } from '../../src/store/migrate.ts';
import { adminUrl, createScratchDatabase, throughPooler } from '../helpers/pg-admin.ts';

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

describe('twofold behind PgBouncer (transaction pooling)', () => {
  it('migrates an empty database once when four instances start at once, and leaves no lock behind', async () => {
    const scratch = await createScratchDatabase(adminUrl()!, 'pooler');
    cleanup.push(scratch.drop);
    const pools = Array.from({ length: 4 }, () => createPgDb({ connectionString: throughPooler(scratch.url), poolSize: 3 }));
    cleanup.push(() => Promise.all(pools.map((p) => p.close())));

    const results = await Promise.all(pools.map((db) => migrate(db)));
    const migrations = await loadMigrations();
    // Each migration applied by exactly one instance; the others found it done.
    expect(results.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(migrations.map((m) => m.version));

    const direct = new pg.Client({ connectionString: scratch.url });
    await direct.connect();
    try {
      const { rows } = await direct.query('SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version');
      expect(rows).toEqual(migrations.map((m) => ({ version: m.version, n: 1 })));
      // A session-level lock taken through the pooler would stay held on some server connection.
      const locks = await direct.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`);
      expect(locks.rows[0].n).toBe(0);
    } finally {
      await direct.end();
    }
  });

  it('bounds statements: the timeout rides in every transaction, and a deadline bounds the rest', async () => {
    const scratch = await createScratchDatabase(adminUrl()!, 'poolertime');
    cleanup.push(scratch.drop);
    const db = createPgDb({ connectionString: throughPooler(scratch.url), poolSize: 2, statementTimeoutMs: 200 });
    cleanup.push(() => db.close());

    expect(await db.transaction((tx) => tx.query('SHOW statement_timeout'))).toEqual([{ statement_timeout: '200ms' }]);
    await expect(db.transaction((tx) => tx.query('SELECT pg_sleep(2)'))).rejects.toMatchObject({ code: 'database_timeout' });
    // Outside a transaction the pooler dropped the startup parameter (ignore_startup_parameters): a
    // request's deadline still answers in time.
    const started = performance.now();
    await expect(withDeadline(300, () => db.query('SELECT pg_sleep(2)'))).rejects.toMatchObject({ code: 'database_timeout' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
