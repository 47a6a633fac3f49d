import { readdir, readFile } from 'node:fs/promises';
import type { Db, Queryable } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Arbitrary constant naming "the twofold schema migration" among advisory locks. */
const MIGRATION_LOCK_KEY = 7_302_446_519;

export async function loadMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new Error(`migration file name "${file}" must look like 0001_name.sql`);
      return { version: Number(match[1]), name: match[2]!, sql: await readFile(new URL(file, MIGRATIONS_DIR), 'utf8') };
    }),
  );
}

/**
 * Brings the schema up to date. Several instances may start at once, directly on PostgreSQL or through a
 * transaction pooler (PgBouncer), which keeps no session state: a session-level advisory lock could be
 * taken on one server connection and released on another, or left held. So every step is one transaction
 * holding a transaction-level advisory lock: one instance looks or migrates while the others wait, and the
 * lock goes with the commit or rollback, whatever connection the pooler chose. Each migration commits
 * together with its bookkeeping row; a waiting instance re-reads the versions once it holds the lock.
 */
export async function migrate(db: Db): Promise<{ applied: number[] }> {
  const migrations = await loadMigrations();
  const done = await db.transaction(async (tx) => {
    await lockSchema(tx);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    return appliedVersions(tx);
  });
  const applied: number[] = [];
  for (const migration of migrations.filter((m) => !done.has(m.version))) {
    if (await applyOne(db, migration)) applied.push(migration.version);
  }
  return { applied };
}

/** Serialises schema changes across instances; waits as long as another instance's migration takes. */
async function lockSchema(tx: Queryable): Promise<void> {
  // A migration may rightly run longer than the statement timeout that bounds requests.
  await tx.exec('SET LOCAL statement_timeout = 0');
  await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
}

async function appliedVersions(tx: Queryable): Promise<Set<number>> {
  return new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
}

/** Applies one migration unless another instance did meanwhile; false when it found it done. */
async function applyOne(db: Db, migration: Migration): Promise<boolean> {
  try {
    return await db.transaction(async (tx) => {
      await lockSchema(tx);
      if ((await appliedVersions(tx)).has(migration.version)) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
  } catch (error) {
    throw new Error(`migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`, { cause: error });
  }
}
