import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mb, ms, type Mode, type Section } from '../lib/report.ts';
import { median, sleep } from '../lib/stats.ts';
import { BENCH_PASSWORD, startTwofold } from '../lib/twofold.ts';
import { watchRss } from '../lib/rss-watch.ts';

/**
 * 7. The embedded default (PGlite in DATA_DIR, no DATABASE_URL): time from `node bin/twofold.js serve` to
 * the first 200 from /readyz, and RSS, on a fresh data directory (the build's template copied in, or initdb and migrations without one; the key ring) and on
 * a restart of the same directory.
 */

interface StartSample {
  readyMs: number;
  rssReady: number;
  rssSettled: number;
  /** After 1,000 password sign-ins (the first round's restart only), and the highest RSS seen meanwhile. */
  rssAfterSignIns?: number;
  rssPeak?: number;
}

const SIGN_INS = 1_000;

/** A user registers, then signs in with their password `count` times, four at a time (each a session and an audit event). */
async function signIns(origin: string, count: number): Promise<void> {
  const email = `embedded-${Date.now()}@bench.invalid`;
  const post = (path: string, body: unknown) => fetch(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const registered = await post('/v1/users', { email, password: BENCH_PASSWORD });
  if (registered.status !== 201) throw new Error(`embedded: registration answered ${registered.status}`);
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const answer = await post('/v1/sessions', { login: email, password: BENCH_PASSWORD });
      await answer.arrayBuffer();
      if (answer.status !== 201) throw new Error(`embedded: sign-in answered ${answer.status}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

async function start(dataDir: string, settleMs: number, signInCount = 0): Promise<StartSample> {
  const server = await startTwofold({ env: { DATA_DIR: dataDir, DATABASE_URL: undefined, TWOFOLD_SECRET_KEYS: undefined }, readyTimeoutMs: 120_000 });
  try {
    const rssReady = server.rss();
    await sleep(settleMs);
    const rssSettled = server.rss();
    if (signInCount === 0) return { readyMs: server.readyMs, rssReady, rssSettled };
    const watch = watchRss(server, 100);
    let peak: number;
    try {
      await signIns(server.origin, signInCount);
    } finally {
      peak = watch.stop().peak;
    }
    await sleep(settleMs);
    return { readyMs: server.readyMs, rssReady, rssSettled, rssAfterSignIns: server.rss(), rssPeak: Math.max(peak, server.rss()) };
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
      restart.push(await start(dataDir, settleMs, round === 0 ? (mode.quick ? 100 : SIGN_INS) : 0));
      mode.log(`  first start ${first.at(-1)!.readyMs.toFixed(0)} ms (${mb(first.at(-1)!.rssSettled)}), restart ${restart.at(-1)!.readyMs.toFixed(0)} ms (${mb(restart.at(-1)!.rssSettled)})`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const judged = !mode.quick;
  const MB = 1024 * 1024;
  const firstMs = median(first.map((s) => s.readyMs));
  const restartMs = median(restart.map((s) => s.readyMs));
  const rssStart = Math.max(median(first.map((s) => s.rssSettled)), median(restart.map((s) => s.rssSettled)));
  const signedIn = { count: mode.quick ? 100 : SIGN_INS, peak: restart[0]!.rssPeak ?? 0, after: restart[0]!.rssAfterSignIns ?? 0 };
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
    tables: [
      { columns: ['start', 'time to ready ms', 'RSS at ready', `RSS ${settleMs / 1000} s later`], rows: [row('first start', first), row('restart', restart)] },
      {
        title: `The first restart, then ${signedIn.count.toLocaleString('en-US')} password sign-ins (one user, 4 at a time)`,
        columns: ['RSS before', 'highest RSS during', `RSS ${settleMs / 1000} s after`],
        rows: [[mb(restart[0]!.rssSettled), mb(signedIn.peak), mb(signedIn.after)]],
      },
    ],
    targets: [
      { label: 'first start: time to ready', goal: '≤ 3 s', actual: `${ms(firstMs)} ms`, met: judged ? firstMs <= 3_000 : null },
      { label: 'restart: time to ready', goal: '≤ 1.5 s', actual: `${ms(restartMs)} ms`, met: judged ? restartMs <= 1_500 : null },
      { label: 'RSS after start (first start and restart, settled)', goal: '≤ 400 MB', actual: `${mb(rssStart)} (highest of the two)`, met: judged ? rssStart <= 400 * MB : null },
      { label: `RSS after ${signedIn.count.toLocaleString('en-US')} sign-ins`, goal: '≤ 400 MB', actual: `${mb(signedIn.after)} (highest during: ${mb(signedIn.peak)})`, met: judged ? signedIn.after <= 400 * MB : null },
    ],
    notes: [
      'The server runs the compiled JavaScript in dist/ (bin/twofold.js); benchmark 9 compares it with the sources through tsx.',
      'PGlite runs with 16 MB of shared buffers (src/store/pglite-driver.ts); PostgreSQL\'s default of 128 MB was most of a restarted server\'s memory.',
    ],
    data: { rounds, first, restart },
  };
}
