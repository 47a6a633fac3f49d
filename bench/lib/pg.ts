import { spawnSync } from 'node:child_process';
import pg from 'pg';

/**
 * PostgreSQL on 127.0.0.1:5432 (as in CI). Every benchmark creates its own database and drops it at
 * the end; names carry the run id so a crashed run never collides with the next one.
 */

export const ADMIN_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const SAFE_NAME = /^[a-z0-9_]{1,63}$/;

export async function createDatabase(name: string): Promise<string> {
  if (!SAFE_NAME.test(name)) throw new Error(`bad database name ${name}`);
  await withAdmin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  });
  return databaseUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  if (!SAFE_NAME.test(name)) throw new Error(`bad database name ${name}`);
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Drops benchmark databases a previous, interrupted run left behind. */
export async function dropStaleDatabases(prefix: string): Promise<void> {
  await withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`]);
    for (const row of rows) await client.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
  });
}

export async function serverInfo(): Promise<{ version: string; settings: Record<string, string> }> {
  return withAdmin(async (client) => {
    const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    const settings: Record<string, string> = {};
    for (const name of ['shared_buffers', 'synchronous_commit', 'fsync', 'max_connections']) {
      settings[name] = (await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name]!;
    }
    return { version, settings };
  });
}

/** A small pool the benchmark itself uses for seeding (never during a measured window). */
export function openPool(url: string, max = 4): pg.Pool {
  return new pg.Pool({ connectionString: url, max });
}

/** PgBouncer (transaction pooling) in front of that PostgreSQL, as CI runs it (`.ci/start-pgbouncer`). */
export const BOUNCER_URL = process.env.BENCH_PGBOUNCER_URL || 'postgres://postgres@127.0.0.1:6432/postgres';

/** The database `url` names, through PgBouncer; null when no PgBouncer answers (and `.ci/start-pgbouncer` could not start one). */
export async function throughBouncer(url: string): Promise<string | null> {
  const bounced = new URL(BOUNCER_URL);
  bounced.pathname = new URL(url).pathname;
  const answers = async () => {
    const client = new pg.Client({ connectionString: bounced.toString(), connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  if (await answers()) return bounced.toString();
  if (!process.env.BENCH_PGBOUNCER_URL && spawnSync(new URL('../../.ci/start-pgbouncer', import.meta.url).pathname, { stdio: 'ignore' }).status === 0 && (await answers())) return bounced.toString();
  return null;
}
