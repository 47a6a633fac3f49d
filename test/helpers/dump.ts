import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import type { Db } from '../../src/store/index.ts';

/**
 * Everything the database holds, as text: `pg_dump` on PostgreSQL, every row of every table on PGlite
 * (which has no pg_dump binary).
 */
export async function dumpDatabase(db: Db): Promise<string> {
  const url = inject('databaseUrl');
  if (url) {
    const { stdout } = await promisify(execFile)('pg_dump', ['--data-only', '--no-owner', url], { maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  }
  const tables = await db.query<{ name: string }>(
    "SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
    parts.push(`-- ${name}`, ...rows.map((r) => r.row));
  }
  return parts.join('\n');
}
