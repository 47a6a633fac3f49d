import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { pgliteDb } from '../../src/store/pglite-driver.ts';
import { createPgDb } from '../../src/store/pg-driver.ts';
import { migrate, type Db } from '../../src/store/index.ts';

let shared: Promise<Db> | undefined;

/**
 * The suite's one database: PostgreSQL when the run has TEST_DATABASE_URL, else one in-memory PGlite.
 * Tests never close it; they keep apart by using fresh users (see `uniqueEmail`).
 */
export function testDb(): Promise<Db> {
  shared ??= (async () => {
    const url = inject('databaseUrl');
    const db = url ? createPgDb({ connectionString: url, poolSize: 10 }) : pgliteDb(await PGlite.create(), false);
    await migrate(db);
    return db;
  })();
  return shared;
}

/** A pool of its own on the suite's PostgreSQL database, as a second server instance has. */
export function anotherPool(): Db {
  return createPgDb({ connectionString: inject('databaseUrl')!, poolSize: 10 });
}

export function usingPostgres(): boolean {
  return inject('databaseUrl') !== undefined;
}

let counter = 0;
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}.${Date.now().toString(36)}${counter}@example.test`;
}
