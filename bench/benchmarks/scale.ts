import { twofoldSecondFactor } from '../lib/flows.ts';
import { medianSample, sampleSide, type Side, type Timing } from '../lib/http-sample.ts';
import { createDatabase, dropDatabase, openPool } from '../lib/pg.ts';
import { ms, percent, rate, ratio, type Mode, type Section } from '../lib/report.ts';
import { interleave } from '../lib/sampler.ts';
import { pairedRatio } from '../lib/stats.ts';
import { migrateTwofold, newKeySpec, poolOf, startTwofold, topUpTickets, TwofoldSeeder, type SeededUser } from '../lib/twofold.ts';

/** 5. The 2FA step with a small and a large user table: does it stay flat? */

const CONNECTIONS = 50;

interface Sized {
  label: string;
  total: number;
  active: number;
}

async function seededDatabase(name: string, size: Sized, keySpec: string, log: Mode['log']) {
  const url = await createDatabase(name);
  const db = openPool(url);
  await migrateTwofold(url);
  const seeder = new TwofoldSeeder(db, keySpec);
  const started = Date.now();
  // The active users (who log in) are spread through the table between filler users, in 10 slices.
  const slices = 10;
  const active: SeededUser[] = [];
  const filler = size.total - size.active;
  for (let slice = 0; slice < slices; slice++) {
    active.push(...(await seeder.users(Math.ceil(size.active / slices), `a${slice}-`)));
    if (filler > 0) await seeder.filler(Math.ceil(filler / slices), `f${slice}-`);
  }
  const tickets = await seeder.transactions(active, 1);
  await seeder.analyze();
  const { rows } = await db.query<{ users: number; mb: number }>(
    `SELECT (SELECT count(*)::int FROM users) AS users, (pg_database_size(current_database()) / 1000000)::int AS mb`,
  );
  log(`  ${size.label}: ${rows[0]!.users.toLocaleString('en-US')} users (${rows[0]!.mb} MB) seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { url, db, seeder, pool: poolOf(active, tickets), users: rows[0]!.users, megabytes: rows[0]!.mb };
}

export async function scale(mode: Mode): Promise<Omit<Section, 'seconds'>> {
  const sizes: [Sized, Sized] = mode.quick
    ? [
        { label: 'small', total: 2_000, active: 2_000 },
        { label: 'large', total: 20_000, active: 2_000 },
      ]
    : [
        { label: '10 k users', total: 10_000, active: 10_000 },
        { label: '1 M users', total: 1_000_000, active: 10_000 },
      ];
  const timing: Timing = mode.quick ? { warmupMs: 300, durationMs: 1_500 } : { warmupMs: 1_000, durationMs: 5_000 };
  const rounds = mode.quick ? 1 : 5;
  const keySpec = newKeySpec();
  const names = [`bench_${mode.runId}_scale_s`, `bench_${mode.runId}_scale_l`];
  const opened: Array<Awaited<ReturnType<typeof seededDatabase>>> = [];
  const servers: Array<Awaited<ReturnType<typeof startTwofold>>> = [];
  try {
    // Seeding is not measured: both databases load at once (each pushed as soon as it exists, for the cleanup).
    await Promise.all(names.map(async (name, i) => opened.push(await seededDatabase(name, sizes[i]!, keySpec, mode.log))));
    opened.sort((a, b) => a.users - b.users);
    for (const db of opened) servers.push(await startTwofold({ databaseUrl: db.url, keySpec, workers: 1 }));
    const sides: Side[] = opened.map((db, i) => ({
      name: sizes[i]!.label,
      server: servers[i]!,
      pool: db.pool,
      iteration: twofoldSecondFactor(db.pool),
      topUp: (needed: number) => topUpTickets(db.seeder, db.pool, needed),
      usesTickets: true,
      expectedRate: 300,
    }));
    if (!mode.quick) for (const side of sides) await sampleSide(side, CONNECTIONS, { warmupMs: 0, durationMs: 2_000 }, mode.log, true);
    const results = await interleave({
      candidates: sides.map((side) => ({ name: side.name, sample: () => sampleSide(side, CONNECTIONS, timing, mode.log) })),
      rounds,
    });
    const [small, large] = sizes.map((s) => results[s.label]!);
    const throughput = pairedRatio(large!.map((s) => s.rate), small!.map((s) => s.rate));
    const p99 = pairedRatio(large!.map((s) => s.latency.p99), small!.map((s) => s.latency.p99));
    const within = Math.abs(1 - throughput) <= 0.1;
    return {
      id: 'scale',
      title: 'Scale: the 2FA step with 10 k and 1 M users',
      method:
        `The 2FA step (as in benchmark 3, twofold, one process, ${CONNECTIONS} connections) against two databases that differ ` +
        'only in size: every user has an active authenticator, and the same number of them (the active users, spread through ' +
        'the table in 10 slices) log in. Users are bulk-loaded with SQL, not through the API: active users with real sealed ' +
        'secrets, filler users generated inside PostgreSQL (`generate_series`); then `VACUUM ANALYZE`. Both servers run at once ' +
        `and take turns: ${rounds} interleaved rounds of ${timing.durationMs / 1000} s.`,
      tables: [
        {
          columns: ['database', 'users', 'size', 'verifications/s', 'p50 ms', 'p99 ms'],
          rows: sizes.map((s, i) => {
            const m = medianSample(results[s.label]!);
            return [s.label, opened[i]!.users.toLocaleString('en-US'), `${opened[i]!.megabytes} MB`, rate(m.rate), ms(m.p50), ms(m.p99)];
          }),
        },
      ],
      targets: [
        {
          label: `throughput, ${sizes[1].label} ÷ ${sizes[0].label}`,
          goal: 'within 10 % (0.90–1.10×)',
          actual: `${ratio(throughput)} (${percent(throughput - 1)} change; p99 ${ratio(p99)})`,
          met: mode.quick ? null : within,
        },
      ],
      notes: [],
      data: { sizes, timing, rounds, connections: CONNECTIONS, results, databases: opened.map((o) => ({ users: o.users, megabytes: o.megabytes })) },
    };
  } finally {
    for (const server of servers) await server.stop();
    for (const db of opened) await db.db.end();
    for (const name of names) await dropDatabase(name);
  }
}
