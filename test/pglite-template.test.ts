// The embedded database's first start: `npm run build` makes a data-directory template (initdb and every
// migration, src/store/pglite-template.ts), and an empty data directory starts as a copy of it instead of running
// initdb, which cost seconds and hundreds of MB. A missing template, or one from another PGlite, is not used:
// PGlite then runs initdb as before. Each PGlite instance costs seconds: this file makes three.
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../src/store/migrate.ts';
import { createPgliteDb } from '../src/store/pglite-driver.ts';
import { pgliteVersion, seedFromTemplate, templateStampPath } from '../src/store/pglite-template.ts';
import { writePgliteTemplate } from '../src/store/pglite-template-writer.ts';

let base: string;
let template: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'twofold-template-'));
  template = join(base, 'pgdata-template');
  await writePgliteTemplate(template);
}, 120_000);

describe('the data-directory template', () => {
  it('is stamped with the PGlite version that made it', async () => {
    expect(JSON.parse(await readFile(templateStampPath(template), 'utf8'))).toEqual({ pglite: pgliteVersion() });
    expect(await readFile(join(template, 'PG_VERSION'), 'utf8')).toMatch(/^\d+\n$/);
  });

  it('starts an empty data directory with the whole schema, which persists across a restart', { timeout: 60_000 }, async () => {
    const dataDir = join(base, 'fresh');
    const db = await createPgliteDb(dataDir, { template });
    try {
      expect(await migrate(db)).toEqual({ applied: [] });
      const versions = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(versions.map((r) => r.version)).toEqual((await loadMigrations()).map((m) => m.version));
      await db.query("INSERT INTO settings (key, value) VALUES ('template.test', 'kept')");
    } finally {
      await db.close();
    }
    // Private like a data directory PGlite makes itself; the copy was made beside it and renamed, nothing left over.
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await readdir(base)).filter((name) => name.includes('.partial-'))).toEqual([]);
    expect((await stat(join(dataDir, 'base'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, 'PG_VERSION'))).mode & 0o777).toBe(0o600);

    const again = await createPgliteDb(dataDir, { template });
    try {
      expect(await again.query("SELECT value FROM settings WHERE key = 'template.test'")).toEqual([{ value: 'kept' }]);
    } finally {
      await again.close();
    }
  });

  it('is not used when missing: the data directory is left to initdb', async () => {
    const dataDir = join(base, 'no-template');
    expect(seedFromTemplate(dataDir, join(base, 'nowhere'))).toBe(false);
    await expect(stat(dataDir)).rejects.toThrow(/ENOENT/);
  });

  it('is not used when another PGlite version made it', async () => {
    const other = join(base, 'other-version');
    await mkdir(other);
    await writeFile(join(other, 'PG_VERSION'), '17\n');
    await writeFile(templateStampPath(other), JSON.stringify({ pglite: '0.0.1' }));
    const dataDir = join(base, 'mismatch');
    await mkdir(dataDir);
    expect(seedFromTemplate(dataDir, other)).toBe(false);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('never overwrites a data directory that holds anything', async () => {
    const dataDir = join(base, 'not-empty');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'notes.txt'), 'mine');
    expect(seedFromTemplate(dataDir, template)).toBe(false);
    expect(await readdir(dataDir)).toEqual(['notes.txt']);
  });
});
