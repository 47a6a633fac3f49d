import { PGlite } from '@electric-sql/pglite';
import { setFlagsFromString } from 'node:v8';
import type { Db, Queryable } from './db.ts';
import { DEFAULT_PGLITE_TEMPLATE, seedFromTemplate } from './pglite-template.ts';

/**
 * PGlite's own start parameters, with a small buffer cache: the embedded default serves one process (the quick
 * start, a small install), and PostgreSQL's 128 MB of shared buffers were most of its memory (docs/benchmarks.md,
 * "Embedded default": ≈ 150 MB less RSS after a restart).
 */
const EMBEDDED_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

export interface PgliteOptions {
  /**
   * The data-directory template an empty `dataDir` starts from instead of initdb (pglite-template.ts); null for
   * none. Defaults to the one `npm run build` leaves in dist/; the sources have none, so they run initdb.
   */
  template?: string | null;
}

/**
 * Embedded PostgreSQL (PGlite, in-process WASM). `dataDir` undefined means in memory.
 * PGlite has one connection and serialises queries itself; `transaction` holds it exclusively.
 */
export async function createPgliteDb(dataDir: string | undefined, options: PgliteOptions = {}): Promise<Db> {
  baselineWasmOnly();
  const template = options.template === undefined ? DEFAULT_PGLITE_TEMPLATE : options.template;
  if (dataDir && template) seedFromTemplate(dataDir, template);
  const lite = new PGlite({ ...(dataDir ? { dataDir } : {}), startParams: EMBEDDED_START_PARAMS });
  await lite.waitReady;
  return pgliteDb(lite, true);
}

/**
 * PGlite's 9 MB WebAssembly module is compiled by V8's baseline compiler (Liftoff) only, without the optimising
 * tier-up in background threads: on a small machine that tier-up competed with start-up for the cores (≈ 0.4 s of
 * a restart, ≈ 50 MB of RSS), and PGlite's queries spend their time in the JavaScript protocol layer, so the
 * optimised code did not make them faster (measured: 6,000 small queries 1.1–1.2 s with Liftoff only, 1.4–1.5 s
 * with tier-up). Set before the first PGlite compiles its module; it concerns WebAssembly only.
 */
function baselineWasmOnly(): void {
  setFlagsFromString('--liftoff-only');
}

/** Wraps an existing PGlite instance (tests share one; creating one costs seconds). */
export function pgliteDb(lite: PGlite, owned: boolean): Db {
  const wrap = (conn: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<Row>(sql: string, params?: readonly unknown[]) {
      return (await conn.query<Row>(sql, params as unknown[])).rows;
    },
    async exec(sql: string) {
      await conn.exec(sql);
    },
  });
  return {
    driver: 'pglite',
    ...wrap(lite),
    transaction: (fn) => lite.transaction((tx) => fn(wrap(tx))),
    async close() {
      if (owned) await lite.close();
    },
  };
}
