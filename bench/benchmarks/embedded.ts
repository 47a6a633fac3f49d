import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mb, ms, type Mode, type Section } from '../lib/report.ts';
import { median, sleep } from '../lib/stats.ts';
import { startTwofold } from '../lib/twofold.ts';

/**
 * 7. The embedded default (PGlite in DATA_DIR, no DATABASE_URL): time from `node bin/twofold.js serve` to
 * the first 200 from /readyz, and RSS, on a fresh data directory (initdb, migrations, key ring) and on
 * a restart of the same directory.
 */

interface StartSample {
  readyMs: number;
  rssReady: number;
  rssSettled: number;
}

async function start(dataDir: string, settleMs: number): Promise<StartSample> {
  const server = await startTwofold({ env: { DATA_DIR: dataDir, DATABASE_URL: undefined, TWOFOLD_SECRET_KEYS: undefined }, readyTimeoutMs: 120_000 });
  try {
    const rssReady = server.rss();
    await sleep(settleMs);
    return { readyMs: server.readyMs, rssReady, rssSettled: server.rss() };
  } finally {
    await server.stop();
  }
}

export async function embedded(mode: Mode): Promise<Omit<Section, 'seconds'>> {
  const rounds = mode.quick ? 1 : 3;
  const settleMs = mode.quick ? 500 : 2_000;
  const first: StartSample[] = [];
  const restart: StartSample[] = [];
  for (let round = 0; round < rounds; round++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'twofold-embedded-'));
    try {
      first.push(await start(dataDir, settleMs));
      restart.push(await start(dataDir, settleMs));
      mode.log(`  first start ${first.at(-1)!.readyMs.toFixed(0)} ms (${mb(first.at(-1)!.rssSettled)}), restart ${restart.at(-1)!.readyMs.toFixed(0)} ms (${mb(restart.at(-1)!.rssSettled)})`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const row = (name: string, samples: StartSample[]) => [
    name,
    ms(median(samples.map((s) => s.readyMs))),
    mb(median(samples.map((s) => s.rssReady))),
    mb(median(samples.map((s) => s.rssSettled))),
  ];
  return {
    id: 'embedded',
    title: 'Embedded default (PGlite): start-up and memory',
    method:
      '`node bin/twofold.js serve` with no DATABASE_URL and no TWOFOLD_SECRET_KEYS (the quick-start default): PGlite in ' +
      '`DATA_DIR/pgdata`. Time from spawning the process to the first 200 from `/readyz` (polled every 10 ms), and RSS of the ' +
      `process at that moment and ${settleMs / 1000} s later. **First start**: an empty data directory (initdb, migrations, a new key ring). ` +
      `**Restart**: the same directory again. Median of ${rounds} (fresh directory each time).`,
    tables: [{ columns: ['start', 'time to ready ms', 'RSS at ready', `RSS ${settleMs / 1000} s later`], rows: [row('first start', first), row('restart', restart)] }],
    targets: [],
    notes: ['The server runs the compiled JavaScript in dist/ (bin/twofold.js); benchmark 9 compares it with the sources through tsx.'],
    data: { rounds, first, restart },
  };
}
