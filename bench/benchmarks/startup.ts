import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, dropDatabase } from '../lib/pg.ts';
import { mb, ms, type Mode, type Section } from '../lib/report.ts';
import { median, sleep } from '../lib/stats.ts';
import { ENTRIES, migrateTwofold, newKeySpec, startTwofold, type TwofoldOptions } from '../lib/twofold.ts';

/**
 * 9. Start-up time and idle memory of the compiled server (`bin/twofold.js`: dist/, written by `npm run build`,
 * plain JavaScript) against the same sources through tsx's loader (`scripts/twofold-dev.js`, which is what
 * bin/twofold.js ran before there was a build): before and after, on PostgreSQL and on the embedded default.
 */

type Entry = keyof typeof ENTRIES;
type Database = 'PostgreSQL' | 'embedded (PGlite), restart';

interface Sample {
  database: Database;
  entry: Entry;
  readyMs: number;
  rssIdle: number;
}

export async function startup(mode: Mode): Promise<Omit<Section, 'seconds'>> {
  const rounds = mode.quick ? 1 : 5;
  const settleMs = mode.quick ? 500 : 2_000;
  const name = `bench_${mode.runId}_startup`;
  const databaseUrl = await createDatabase(name);
  const dataDir = mkdtempSync(join(tmpdir(), 'twofold-startup-'));
  const samples: Sample[] = [];
  try {
    await migrateTwofold(databaseUrl);
    const keySpec = newKeySpec();
    const targets: Record<Database, Omit<TwofoldOptions, 'entry'>> = {
      PostgreSQL: { databaseUrl, keySpec, workers: 1 },
      'embedded (PGlite), restart': { env: { DATA_DIR: dataDir, DATABASE_URL: undefined, TWOFOLD_SECRET_KEYS: undefined }, readyTimeoutMs: 120_000 },
    };
    // The embedded database's first start (initdb, migrations, key ring) is benchmark 7's; here it is done once, unmeasured.
    await (await startTwofold(targets['embedded (PGlite), restart'])).stop();

    for (let round = 0; round < rounds; round++) {
      for (const database of Object.keys(targets) as Database[]) {
        // Alternate which entry goes first, so neither always meets a warmer page cache.
        const entries: Entry[] = round % 2 === 0 ? ['tsx', 'compiled'] : ['compiled', 'tsx'];
        for (const entry of entries) {
          const server = await startTwofold({ ...targets[database], entry: ENTRIES[entry] });
          try {
            await sleep(settleMs);
            samples.push({ database, entry, readyMs: server.readyMs, rssIdle: server.rss() });
          } finally {
            await server.stop();
          }
        }
        const [a, b] = samples.slice(-2);
        mode.log(`  ${database}: ${a!.entry} ${ms(a!.readyMs)} ms ${mb(a!.rssIdle)}, ${b!.entry} ${ms(b!.readyMs)} ms ${mb(b!.rssIdle)}`);
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await dropDatabase(name);
  }

  const of = (database: Database, entry: Entry) => samples.filter((s) => s.database === database && s.entry === entry);
  /** Median over rounds of (tsx − compiled) within each round. */
  const saved = (database: Database, field: 'readyMs' | 'rssIdle') => {
    const tsx = of(database, 'tsx');
    const compiled = of(database, 'compiled');
    return median(tsx.map((s, i) => s[field] - compiled[i]![field]));
  };
  const rows = (['PostgreSQL', 'embedded (PGlite), restart'] as Database[]).flatMap((database) => [
    ...(['tsx', 'compiled'] as Entry[]).map((entry) => [
      database,
      entry === 'tsx' ? 'before: `scripts/twofold-dev.js` (sources through tsx)' : 'after: `bin/twofold.js` (compiled dist/)',
      ms(median(of(database, entry).map((s) => s.readyMs))),
      mb(median(of(database, entry).map((s) => s.rssIdle))),
    ]),
    [database, 'saved by compiling (within each round)', ms(saved(database, 'readyMs')), mb(saved(database, 'rssIdle'))],
  ]);
  return {
    id: 'startup',
    title: 'Start-up and idle memory: compiled JavaScript vs the tsx loader',
    method:
      '`serve --workers 1` started through `bin/twofold.js` (the compiled JavaScript in dist/ that `npm run build` writes: what ' +
      '`npm start` runs) and through `scripts/twofold-dev.js` (the same sources through tsx\'s loader: what bin/twofold.js ran ' +
      'before this build existed), on PostgreSQL (a migrated database) and on the embedded default (a restart of a data directory ' +
      'initialised once before). Time from spawning the process to the first 200 from `/readyz` (polled every 10 ms), and the ' +
      `RSS of the process ${settleMs / 1000} s later, idle. ${rounds} interleaved round${rounds === 1 ? '' : 's'}, each starting ` +
      'all four once (which entry goes first alternates); medians, and the saving as the median of within-round differences.',
    tables: [{ columns: ['database', 'entry', 'time to ready ms', `idle RSS (${settleMs / 1000} s after ready)`], rows }],
    targets: [],
    notes: [],
    data: { rounds, settleMs, samples },
  };
}
