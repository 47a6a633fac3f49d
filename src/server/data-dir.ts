import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.ts';

/** A data directory that cannot be used; the message is one line naming the path and the fix. */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/**
 * The directories this configuration writes to: `DATA_DIR` when something lives there (the embedded database,
 * the generated key ring, the development mail outbox) and the embedded database's own directory. A server on
 * PostgreSQL with SMTP and TWOFOLD_SECRET_KEYS writes nothing locally, so it creates nothing.
 */
export function dataDirectories(config: Config): Array<{ setting: string; path: string }> {
  const dirs: Array<{ setting: string; path: string }> = [];
  const { database } = config;
  const embeddedDefault = database.kind === 'pglite' && database.dataDir === join(config.dataDir, 'pgdata');
  const generatedKeys = !config.secretKeys && database.kind === 'pglite' && database.dataDir !== undefined;
  if (embeddedDefault || generatedKeys || !config.smtpUrl) dirs.push({ setting: 'DATA_DIR', path: config.dataDir });
  if (database.kind === 'pglite' && database.dataDir !== undefined) {
    dirs.push({ setting: embeddedDefault ? 'DATA_DIR' : 'DATABASE_URL', path: database.dataDir });
  }
  return dirs;
}

/**
 * Creates the data directories before anything opens them (a fresh clone has no `./data`; PGlite does not create
 * parents), private to this user (0700: the database and the key ring live there), and checks that each is a
 * directory this process may write. Existing directories keep their mode: the operator may have chosen it.
 */
export async function prepareDataDirs(config: Config): Promise<void> {
  for (const { setting, path } of dataDirectories(config)) {
    try {
      await mkdir(path, { recursive: true, mode: 0o700 });
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      if (code === 'EEXIST' || code === 'ENOTDIR') {
        const isFile = await stat(path).then((s) => !s.isDirectory(), () => false);
        const what = isFile ? `${path} is a file, not a directory` : `a file stands in the path ${path}`;
        throw new DataDirError(`${setting}: ${what}: move it away, or point ${setting} at a directory`);
      }
      throw new DataDirError(`${setting}: cannot create ${path} (${code ?? (error as Error).message}): create it writable for this user, or point ${setting} elsewhere`);
    }
    try {
      await access(path, constants.W_OK | constants.X_OK);
    } catch {
      const user = process.getuid ? ` (uid ${process.getuid()})` : '';
      throw new DataDirError(`${setting}: ${path} is not writable by this user${user}: fix its owner or mode (chown, chmod 700), or point ${setting} elsewhere`);
    }
  }
}
