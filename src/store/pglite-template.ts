import { chmodSync, constants, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A data directory made at build time (`npm run build`): PGlite's initdb plus twofold's migrations, shut down
 * cleanly. Copying it into an empty data directory replaces initdb at first start, which costs seconds and
 * leaves hundreds of MB of RSS behind (a second PGlite instance runs it). It holds no per-install secret: the key
 * ring is files in DATA_DIR, and the Backendless app id and key are made at first start (app-credentials.ts);
 * the migrations insert no rows. What it shares across installs is PostgreSQL's system identifier in
 * pg_control, which only physical replication reads, and PGlite has none.
 */
export const DEFAULT_PGLITE_TEMPLATE = fileURLToPath(new URL('../pgdata-template', import.meta.url));

/** Written beside the template (`<template>.json`): a data directory is only as good as the PGlite that wrote it. */
export interface TemplateStamp {
  pglite: string;
}

/** The installed PGlite's version (its package.json is not among its exports, so found beside its entry point). */
export function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkg = JSON.parse(readFileSync(join(entry, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function templateStampPath(template: string): string {
  return `${template}.json`;
}

/** Whether `template` is a data directory this PGlite can open: present, complete and stamped with its version. */
export function usableTemplate(template: string): boolean {
  let stamp: TemplateStamp;
  try {
    stamp = JSON.parse(readFileSync(templateStampPath(template), 'utf8')) as TemplateStamp;
  } catch {
    return false;
  }
  return stamp.pglite === pgliteVersion() && existsSync(join(template, 'PG_VERSION'));
}

/**
 * Fills an empty (or missing) data directory from the template; false, touching nothing, when the directory
 * holds anything or the template is missing or from another PGlite (the caller then lets PGlite run initdb).
 * The copy is made beside it and renamed into place: a copy cut short (a crash, a full disk) never becomes a half
 * database that the next start would take for a data directory, nor a non-empty directory that initdb refuses.
 */
export function seedFromTemplate(dataDir: string, template: string): boolean {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return false;
  if (!usableTemplate(template)) return false;
  const partial = `${dataDir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true, mode: 0o700 });
  try {
    copyTree(template, partial);
    if (existsSync(dataDir)) rmdirSync(dataDir); // empty: checked above; rmdir refuses anything else
    renameSync(partial, dataDir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  return true;
}

/** Synchronous on purpose: nothing else runs during start-up, and a thousand small async copies cost more. */
function copyTree(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      // Private like the data directory itself (prepareDataDirs): the database lives here.
      mkdirSync(target, { mode: 0o700 });
      copyTree(source, target);
    } else if (entry.isFile()) copyFile(source, target);
  }
}

/** A copy made by the kernel (no 40 MB of buffers in this process), then made private. */
function copyFile(source: string, target: string): void {
  copyFileSync(source, target, constants.COPYFILE_EXCL);
  chmodSync(target, 0o600);
}
