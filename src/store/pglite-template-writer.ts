import { rmSync, writeFileSync } from 'node:fs';
import { migrate } from './migrate.ts';
import { createPgliteDb } from './pglite-driver.ts';
import { pgliteVersion, templateStampPath, type TemplateStamp } from './pglite-template.ts';

/**
 * Makes the data-directory template (pglite-template.ts) at `template`: a fresh PGlite database with every
 * migration applied, closed cleanly so that a copy opens without recovery, then the stamp naming the PGlite
 * version. The stamp is written last: a template without one is never used.
 */
export async function writePgliteTemplate(template: string): Promise<void> {
  rmSync(templateStampPath(template), { force: true });
  rmSync(template, { recursive: true, force: true });
  const db = await createPgliteDb(template, { template: null });
  try {
    await migrate(db);
    await db.exec('CHECKPOINT');
  } finally {
    await db.close();
  }
  const stamp: TemplateStamp = { pglite: pgliteVersion() };
  writeFileSync(templateStampPath(template), `${JSON.stringify(stamp)}\n`);
}
