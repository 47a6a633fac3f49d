import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKeyRing, generateKeySpec, parseKeySpecs, type KeyRing } from '../core/crypto/keyring.ts';
import type { Config } from '../config.ts';
import type { Logger } from 'pino';

/**
 * The key ring comes from TWOFOLD_SECRET_KEYS. Only the embedded default may do without: it keeps a
 * generated ring next to its database (`DATA_DIR/secret-keys`, mode 0600), or a throwaway one in memory.
 */
export async function loadKeyRing(config: Config, logger: Logger): Promise<KeyRing> {
  if (config.secretKeys) return createKeyRing(parseKeySpecs(config.secretKeys));
  if (config.database.kind === 'postgres') throw new Error('TWOFOLD_SECRET_KEYS is required with PostgreSQL');
  if (config.database.dataDir === undefined) {
    logger.warn('TWOFOLD_SECRET_KEYS is not set: using a throwaway key ring for this in-memory database');
    return createKeyRing(parseKeySpecs(generateKeySpec('k1')));
  }
  const file = join(config.dataDir, 'secret-keys');
  try {
    return createKeyRing(parseKeySpecs(await readFile(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${generateKeySpec('k1')}\n`, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  logger.warn({ file }, 'TWOFOLD_SECRET_KEYS is not set: generated a key ring in the data directory; back it up with the database');
  return createKeyRing(parseKeySpecs(await readFile(file, 'utf8')));
}

/** The key ring file of the embedded default, or null when the ring comes from TWOFOLD_SECRET_KEYS. */
export function keyRingFile(config: Config): string | null {
  return config.secretKeys || config.database.kind === 'postgres' || config.database.dataDir === undefined ? null : join(config.dataDir, 'secret-keys');
}

/** Rewrites the key ring file (the embedded default's rotation); the first key encrypts. */
export async function writeKeyRingFile(file: string, specs: string[]): Promise<void> {
  await writeFile(file, `${specs.join(',')}\n`, { mode: 0o600 });
}
