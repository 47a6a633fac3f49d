import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { betterAuthSecondFactor, betterAuthWrongCode } from '../peers/better-auth/index.ts';
import { twofoldSecondFactor, twofoldWrongCode } from '../lib/flows.ts';
import { medianSample, sampleSide, ticketSide, type Sample, type Side, type Timing } from '../lib/http-sample.ts';
import { ADMIN_URL, throughBouncer } from '../lib/pg.ts';
import { sampleWaits, summariseProfile, type ProfileSummary, type WaitSummary } from '../lib/profile.ts';

import type { ServerProcess } from '../lib/process.ts';
import { mb, ms, percent, rate, ratio, type Mode, type Section, type Table } from '../lib/report.ts';
import { interleave } from '../lib/sampler.ts';
import { bothSetups, type betterAuthSetup, type Setup, type twofoldSetup } from '../lib/setups.ts';
import { countPerRequest, type PerRequest } from '../lib/statement-count.ts';
import { pairedRatio } from '../lib/stats.ts';
import { startTwofold } from '../lib/twofold.ts';
import { watchRss } from '../lib/rss-watch.ts';

/** 3. The 2FA step over HTTP against PostgreSQL, twofold vs Better Auth, at 10 and 50 connections. */

export const SECOND_FACTOR_METHOD =
  'A user with an active authenticator has a pending login (twofold: a transaction from `POST /v1/sessions`; Better Auth: ' +
  'the signed `two_factor` cookie its sign-in sets) and sends the current code: `POST /v1/sessions/second-factor ' +
  '{transactionId, code}` → 201 with a session token, or `POST /api/auth/two-factor/verify-totp {code}` → 200 with a ' +
  'session cookie. Pending logins are seeded in bulk (SQL, shaped as each product writes them) so that every request ' +
  'finds a fresh one; each user\'s code is used once per time step (twofold refuses replays; Better Auth is given the ' +
  'same discipline). Both servers are single Node processes (twofold `serve --workers 1`) with a pool of 10 PostgreSQL ' +
  'connections, on fresh databases of the same PostgreSQL. twofold runs with its rate limits on, as in production ' +
  '(every request from the one address of the load generator: the verify rule counts its wrong codes); Better Auth ' +
  "with its rate limiter off (its defaults allow 3 two-factor requests per 10 s per address). A third server, twofold " +
  'on the same database through PgBouncer (transaction pooling, 127.0.0.1:6432), takes its turn with them when a ' +
  'PgBouncer answers. The supply of users and codes is sized for 3× the fastest rate seen so far.';

/** twofold as production runs it: rate limits on (the verify rule counts wrong codes per client address). */
const TWOFOLD_ENV = { RATE_LIMITS: 'true' };
const BOUNCED = 'twofold via PgBouncer';

type Counts = Record<string, Record<string, PerRequest>>;

export async function secondFactor(mode: Mode): Promise<Omit<Section, 'seconds'>> {
  const users = mode.quick ? 2_000 : 10_000;
  const timing: Timing = mode.quick ? { warmupMs: 300, durationMs: 1_500 } : { warmupMs: 1_000, durationMs: 5_000 };
  const rounds = mode.quick ? 1 : 5;
  const connectionCounts = [10, 50];
  const { twofold, betterAuth } = await bothSetups(
    { databaseName: `bench_${mode.runId}_2fa_tf`, users, ticketsPerUser: 1, log: mode.log, env: TWOFOLD_ENV },
    { databaseName: `bench_${mode.runId}_2fa_ba`, users, ticketsPerUser: 1, log: mode.log },
  );
  let bounced: ServerProcess | undefined;
  try {
    const counts = await countBoth(twofold, betterAuth, mode);
    const sides: Side[] = [
      ticketSide('twofold', twofold.server, twofoldSecondFactor(twofold.pool), twofold, 300),
      ticketSide('Better Auth', betterAuth.server, betterAuthSecondFactor(betterAuth.pool, betterAuth.server.origin), betterAuth, 150),
    ];
    const bouncerUrl = await throughBouncer(twofold.databaseUrl);
    if (bouncerUrl) {
      bounced = await twofold.startAnother({ DATABASE_URL: bouncerUrl });
      // The same database and users as the direct server: one pool of codes serves both.
      sides.push(ticketSide(BOUNCED, bounced, twofoldSecondFactor(twofold.pool), twofold, 300));
    } else mode.log('  no PgBouncer answers (BENCH_PGBOUNCER_URL, or .ci/start-pgbouncer): its row is left out');

    // A short first pass wakes each up (JIT, connection pools) and measures the rate the supply is sized for.
    for (const s of sides) await sampleSide(s, 10, { warmupMs: 0, durationMs: mode.quick ? 1_000 : 2_000 }, mode.log, true);

    const results: Record<number, Record<string, Sample[]>> = {};
    // The direct server's memory over every sample, and once the load has stopped (issue 17: ≤ 250 MB / ≤ 150 MB).
    const rssWatch = watchRss(twofold.server);
    for (const connections of connectionCounts) {
      mode.log(`  ${connections} connections`);
      results[connections] = await interleave({
        candidates: sides.map((s) => ({ name: s.name, sample: () => sampleSide(s, connections, timing, mode.log) })),
        rounds,
      });
    }

    const { peak: rssPeak } = rssWatch.stop();
    await new Promise((resolve) => setTimeout(resolve, RSS_SETTLE_MS));
    const memory = { peak: rssPeak, after: twofold.server.rss() };
    let profile: Profile | undefined;
    if (!mode.quick) {
      await bounced?.stop();
      await twofold.server.stop();
      profile = await profileTwofold(twofold, timing, mode, sides[0]!.expectedRate);
    }
    return report(mode, { results, connectionCounts, rounds, timing, users, profile, counts, memory, bounced: bouncerUrl !== null });
  } finally {
    await bounced?.stop();
    await betterAuth.close();
    await twofold.close();
  }
}

/** Statements and commits per request (right code, wrong code) for both products, one request at a time. */
async function countBoth(twofold: Awaited<ReturnType<typeof twofoldSetup>>, betterAuth: Awaited<ReturnType<typeof betterAuthSetup>>, mode: Mode): Promise<Counts> {
  mode.log('  statements and commits per request (one connection, one request at a time)');
  const requests = mode.quick ? 40 : 100;
  const counts: Counts = {};
  for (const [name, setup, right, wrong] of [
    ['twofold', twofold, twofoldSecondFactor(twofold.pool), twofoldWrongCode(twofold.pool)],
    ['Better Auth', betterAuth, (c) => betterAuthSecondFactor(betterAuth.pool, c.origin)(c), (c) => betterAuthWrongCode(betterAuth.pool, c.origin)(c)],
  ] as Array<[string, Setup<unknown>, Side['iteration'], Side['iteration']]>) {
    await setup.topUp(requests * 4);
    await setup.pool.waitForCapacity(requests * 4, mode.log);
    counts[name] = await countPerRequest(
      {
        databaseName: setup.databaseName,
        start: setup.startAnother,
        requests,
        phases: [
          { name: 'right code', iteration: right },
          // Fewer than the address's verify limit (30 failures a minute): the load generator is one address.
          { name: 'wrong code', iteration: wrong, requests: 20 },
        ],
      },
      mode.log,
    );
  }
  return counts;
}

interface Profile {
  cpu: ProfileSummary;
  waits: WaitSummary;
  sample: Sample;
}

/** One more 50-connection sample of twofold, run under `node --cpu-prof`, with PostgreSQL's wait events sampled. */
async function profileTwofold(setup: Awaited<ReturnType<typeof twofoldSetup>>, timing: Timing, mode: Mode, expectedRate: number): Promise<Profile> {
  mode.log('  profile: twofold under --cpu-prof, 50 connections');
  const dir = mkdtempSync(join(tmpdir(), 'twofold-prof-'));
  const server = await startTwofold({
    databaseUrl: setup.databaseUrl,
    keySpec: setup.keySpec,
    workers: 1,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=500'],
    env: TWOFOLD_ENV,
  });
  try {
    const side = ticketSide('twofold (profiled)', server, twofoldSecondFactor(setup.pool), setup, expectedRate);
    await sampleSide(side, 50, { warmupMs: 0, durationMs: 1_000 }, mode.log, true);
    const waits = sampleWaits(ADMIN_URL, setup.databaseName);
    const sample = await sampleSide(side, 50, timing, mode.log);
    const waitSummary = await waits.stop();
    await server.stop();
    return { cpu: summariseProfile(dir, sample.windowUs), waits: waitSummary, sample };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Measured {
  results: Record<number, Record<string, Sample[]>>;
  connectionCounts: number[];
  rounds: number;
  timing: Timing;
  users: number;
  profile: Profile | undefined;
  counts: Counts;
  /** RSS of the direct twofold server: the highest during the samples, and RSS_SETTLE_MS after them. */
  memory: { peak: number; after: number };
  bounced: boolean;
}

function report(mode: Mode, m: Measured): Omit<Section, 'seconds'> {
  const judged = !mode.quick;
  const rows: Table['rows'] = [];
  const targets: Section['targets'] = [];
  const names = ['twofold', 'Better Auth', ...(m.bounced ? [BOUNCED] : [])];
  let best = 0;
  for (const connections of m.connectionCounts) {
    const per = m.results[connections]!;
    for (const name of names) {
      const s = medianSample(per[name]!);
      if (name === 'twofold') best = Math.max(best, s.rate);
      rows.push([connections, name, rate(s.rate), ms(s.p50), ms(s.p99), `${s.cpuServer.toFixed(2)} / ${s.cpuPostgres.toFixed(2)} / ${s.cpuGenerator.toFixed(2)}`, s.errors]);
    }
    const of = (name: string, pick: (s: Sample) => number) => per[name]!.map(pick);
    const throughput = pairedRatio(of('twofold', (s) => s.rate), of('Better Auth', (s) => s.rate));
    const p99 = pairedRatio(of('twofold', (s) => s.latency.p99), of('Better Auth', (s) => s.latency.p99));
    targets.push({ label: `${connections} connections: throughput vs Better Auth`, goal: '≥ 7×', actual: ratio(throughput), met: judged ? throughput >= 7 : null });
    targets.push({ label: `${connections} connections: p99 vs Better Auth`, goal: '≤ ½ (0.50×)', actual: ratio(p99), met: judged ? p99 <= 0.5 : null });
    if (connections === 10) {
      const twofold = medianSample(per.twofold!);
      targets.push({ label: '10 connections: p99 of the step', goal: '≤ 10 ms', actual: `${ms(twofold.p99)} ms`, met: judged ? twofold.p99 <= 10 : null });
    }
    if (m.bounced) {
      const viaBouncer = pairedRatio(of(BOUNCED, (s) => s.rate), of('twofold', (s) => s.rate));
      targets.push({ label: `${connections} connections: through PgBouncer ÷ direct`, goal: 'no target set (reported)', actual: ratio(viaBouncer), met: null });
    }
  }
  targets.push({
    label: 'verifications/s, one process, database on the same machine',
    goal: '≥ 2,000/s',
    actual: `${rate(best)}/s (best of 10 and 50 connections; 2 workers: see benchmark 8)`,
    met: judged ? best >= 2000 : null,
  });
  const success = m.counts.twofold?.['right code'];
  if (success) {
    targets.push({
      label: 'a right code: round trips / writing commits per step',
      goal: '≤ 2 / ≤ 1',
      actual: `${fixed(success.roundTrips)} / ${fixed(success.writeCommits)}`,
      met: success.roundTrips <= 2.001 && success.writeCommits <= 1.001,
    });
  }
  const wrong = m.counts.twofold?.['wrong code'];
  if (wrong) targets.push({ label: 'a wrong code: round trips per step', goal: '≤ 2', actual: fixed(wrong.roundTrips), met: wrong.roundTrips <= 2.001 });

  targets.push({ label: 'server RSS during the samples (highest)', goal: '≤ 250 MB', actual: mb(m.memory.peak), met: judged ? m.memory.peak <= 250 * MB : null });
  targets.push({ label: `server RSS ${RSS_SETTLE_MS / 1000} s after the samples`, goal: '≤ 150 MB', actual: mb(m.memory.after), met: judged ? m.memory.after <= 150 * MB : null });

  const tables: Table[] = [
    { columns: ['connections', 'server', 'verifications/s', 'p50 ms', 'p99 ms', 'CPU cores: server / PostgreSQL / generator', 'errors'], rows },
    countTable(m.counts),
  ];
  const notes = [
    `${m.rounds} interleaved rounds per connection count; each sample ${m.timing.warmupMs / 1000} s of warm-up then ${m.timing.durationMs / 1000} s measured; ${m.users.toLocaleString('en-US')} seeded users per product (more are seeded when a sample could need them).`,
    'Ratios are computed within each round (twofold ÷ Better Auth), then the median is taken.',
    'PostgreSQL runs with its defaults (synchronous_commit=on, fsync=on): every committed write waits for a WAL flush to disk.',
  ];
  if (m.profile) tables.push(...profileTables(m.profile));
  return {
    id: 'second-factor',
    title: 'The 2FA step over HTTP (PostgreSQL)',
    method: SECOND_FACTOR_METHOD,
    tables,
    targets,
    notes,
    data: { ...m, bounced: m.bounced },
  };
}

function profileTables(profile: Profile): Table[] {
  return [
    {
      title: `Where twofold's time goes (one more 50-connection sample, ${rate(profile.sample.rate)}/s, under node --cpu-prof): self time by place, share of all profile samples`,
      columns: ['place', 'share'],
      rows: profile.cpu.categories.map((c) => [c.name, percent(c.share)]),
    },
    {
      title: 'Hottest functions (self time, idle excluded from the list)',
      columns: ['function', 'where', 'share'],
      rows: profile.cpu.functions.slice(0, 8).map((f) => [f.name || '(anonymous)', f.where, percent(f.share)]),
    },
    {
      title: `PostgreSQL backends of twofold's database during that sample (pg_stat_activity every 50 ms, ${profile.waits.samples} samples)`,
      columns: ['backend state', 'share of observations'],
      rows: profile.waits.states.slice(0, 8).map((s) => [s.state, percent(s.share)]),
    },
  ];
}

const MB = 1e6;
const RSS_SETTLE_MS = 3_000;
const fixed = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** Statements and commits per request, both products, as counted in the server and by PostgreSQL. */
export function countTable(counts: Counts): Table {
  const rows: Table['rows'] = [];
  for (const [product, phases] of Object.entries(counts)) {
    for (const [phase, c] of Object.entries(phases)) {
      rows.push([product, phase, fixed(c.roundTrips), fixed(c.statements), fixed(c.reads), fixed(c.writes), fixed(c.commits), fixed(c.writeCommits), fixed(c.xactCommit)]);
    }
  }
  return {
    title:
      'Per request: what the server sends PostgreSQL (counted in the server process by bench/lib/count-queries.mjs: round trips, ' +
      'statements in them, reads, writes, transactions committed and those that wrote) and what PostgreSQL counted ' +
      "(`pg_stat_database.xact_commit` delta of the product's database; read-only transactions included)",
    columns: ['server', 'request', 'round trips', 'statements', 'reads', 'writes', 'commits', 'writing commits', 'xact_commit'],
    rows,
  };
}
