import pg from 'pg';

/** The PostgreSQL server the PG pass runs against (an admin URL: tests create and drop their own databases). */
export function adminUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

/** The PgBouncer (transaction pooling) twofold runs behind in the PgBouncer pass (scripts/test.js), else undefined. */
export function poolerUrl(): string | undefined {
  return process.env.TEST_PGBOUNCER_URL || undefined;
}

/** How twofold reaches `url`'s database: through the pooler in the PgBouncer pass, directly otherwise. */
export function throughPooler(url: string): string {
  const pooler = poolerUrl();
  if (!pooler) return url;
  const via = new URL(url);
  const { host, username, password } = new URL(pooler);
  Object.assign(via, { host, username, password });
  return via.toString();
}

export function databaseUrl(admin: string, database: string): string {
  const url = new URL(admin);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Creates an empty database with a unique name and returns its URL and a function that drops it. */
export async function createScratchDatabase(admin: string, label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `twofold_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return {
    url: databaseUrl(admin, name),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
