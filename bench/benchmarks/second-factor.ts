import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { betterAuthSecondFactor } from '../peers/better-auth/index.ts';
import { betterAuthWrongCode } from '../peers/better-auth/index.ts';
import { twofoldSecondFactor, twofoldWrongCode } from '../lib/flows.ts';
import { countPerRequest, type PerRequest } from '../lib/statement-count.ts';
import { medianSample, sampleSide, type Sample, type Side, type Timing } from '../lib/http-sample.ts';
import { ADMIN_URL } from '../lib/pg.ts';
import { sampleWaits, summariseProfile, type ProfileSummary, type WaitSummary } from '../lib/profile.ts';
import { ms, percent, rate, ratio, type Mode, type Section, type Table } from '../lib/report.ts';
import { interleave } from '../lib/sampler.ts';
import { bothSetups, type twofoldSetup } from '../lib/setups.ts';
import { median, pairedRatio } from '../lib/stats.ts';
import { startTwofold } from '../lib/twofold.ts';
import { replaySecondFactorSql, type ReplayResult } from '../lib/sql-replay.ts';

/** 3. The 2FA step over HTTP against PostgreSQL, twofold vs Better Auth, at 10 and 50 connections. */

export const SECOND_FACTOR_METHOD =
  'A user with an active authenticator has a pending login (twofold: a transaction from `POST /v1/sessions`; Better Auth: ' +
  'the signed `two_factor` cookie its sign-in sets) and sends the current code: `POST /v1/sessions/second-factor ' +
  '{transactionId, code}` → 201 with a session token, or `POST /api/auth/two-factor/verify-totp {code}` → 200 with a ' +
  'session cookie. Pending logins are seeded in bulk (SQL, shaped as each product writes them) so that every request ' +
  'finds a fresh one; each user\'s code is used once per time step (twofold refuses replays; Better Auth is given the ' +
  'same discipline). Both servers are single Node processes (twofold `serve --workers 1`) with a pool of 10 PostgreSQL ' +
  'connections, on fresh databases of the same PostgreSQL, rate limits off.';

export async function secondFactor(mode: Mode): Promise<Omit<Section, 'seconds'>> {
  const users = mode.quick ? 2_000 : 10_000;
  const timing: Timing = mode.quick ? { warmupMs: 300, durationMs: 1_500 } : { warmupMs: 1_000, durationMs: 5_000 };
  const rounds = mode.quick ? 1 : 5;
  const connectionCounts = [10, 50];
  const { twofold, betterAuth } = await bothSetups(
    { databaseName: `bench_${mode.runId}_2fa_tf`, users, ticketsPerUser: 1, log: mode.log },
    { databaseName: `bench_${mode.runId}_2fa_ba`, users, ticketsPerUser: 1, log: mode.log },
  );
  try {
    const sides: Side[] = [
      { name: 'twofold', server: twofold.server, pool: twofold.pool, iteration: twofoldSecondFactor(twofold.pool), topUp: twofold.topUp, usesTickets: true, expectedRate: 300 },
      {
        name: 'Better Auth',
        server: betterAuth.server,
        pool: betterAuth.pool,
        iteration: betterAuthSecondFactor(betterAuth.pool, betterAuth.server.origin),
        topUp: betterAuth.topUp,
        usesTickets: true,
        expectedRate: 150,
      },
    ];
    mode.log('  statements and commits per request (one connection, one request at a time)');
    const counts: Record<string, Record<string, PerRequest>> = {};
    const requests = mode.quick ? 40 : 100;
    await twofold.topUp(requests * 4);
    await betterAuth.topUp(requests * 4);
    await twofold.pool.waitForCapacity(requests * 4, mode.log);
    counts.twofold = await countPerRequest(
      {
        databaseName: twofold.databaseName,
        start: twofold.startAnother,
        requests,
        phases: [
          { name: 'right code', iteration: twofoldSecondFactor(twofold.pool) },
          { name: 'wrong code', iteration: twofoldWrongCode(twofold.pool) },
        ],
      },
      mode.log,
    );
    await betterAuth.pool.waitForCapacity(requests * 4, mode.log);
    counts['Better Auth'] = await countPerRequest(
      {
        databaseName: betterAuth.databaseName,
        start: betterAuth.startAnother,
        requests,
        phases: [
          { name: 'right code', iteration: (c) => betterAuthSecondFactor(betterAuth.pool, c.origin)(c) },
          { name: 'wrong code', iteration: (c) => betterAuthWrongCode(betterAuth.pool, c.origin)(c) },
        ],
      },
      mode.log,
    );

    // A short first pass wakes both up (JIT, connection pools) before anything is kept.
    if (!mode.quick) for (const side of sides) await sampleSide(side, 10, { warmupMs: 0, durationMs: 2_000 }, mode.log, true);

    const results: Record<number, Record<string, Sample[]>> = {};
    for (const connections of connectionCounts) {
      mode.log(`  ${connections} connections`);
      results[connections] = await interleave({
        candidates: sides.map((side) => ({ name: side.name, sample: () => sampleSide(side, connections, timing, mode.log) })),
        rounds,
      });
    }

    let profile: Profile | undefined;
    if (!mode.quick) {
      await twofold.server.stop();
      profile = await profileTwofold(twofold, timing, mode);
    }
    return report(mode, results, connectionCounts, rounds, timing, users, profile, counts);
  } finally {
    await betterAuth.close();
    await twofold.close();
  }
}

interface Profile {
  cpu: ProfileSummary;
  waits: WaitSummary;
  sample: Sample;
  replay: Record<string, ReplayResult[]>;
}

/** One more 50-connection sample of twofold, run under `node --cpu-prof`, with PostgreSQL's wait events sampled. */
async function profileTwofold(setup: Awaited<ReturnType<typeof twofoldSetup>>, timing: Timing, mode: Mode): Promise<Profile> {
  mode.log('  profile: twofold under --cpu-prof, 50 connections');
  const dir = mkdtempSync(join(tmpdir(), 'twofold-prof-'));
  const server = await startTwofold({
    databaseUrl: setup.databaseUrl,
    keySpec: setup.keySpec,
    workers: 1,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=500'],
  });
  try {
    const side: Side = { name: 'twofold (profiled)', server, pool: setup.pool, iteration: twofoldSecondFactor(setup.pool), topUp: setup.topUp, usesTickets: true, expectedRate: 300 };
    await sampleSide(side, 50, { warmupMs: 0, durationMs: 1_000 }, mode.log, true);
    const waits = sampleWaits(ADMIN_URL, setup.databaseName);
    const sample = await sampleSide(side, 50, timing, mode.log);
    const waitSummary = await waits.stop();
    await server.stop();
    const cpu = summariseProfile(dir, sample.windowUs);
    mode.log('  the same SQL without the server: autocommit, one transaction, one round trip');
    const replay = await interleave({
      candidates: (['autocommit', 'one transaction', 'one round trip'] as const).map((how) => ({
        name: how,
        sample: async () => {
          await setup.topUp(20_000);
          await setup.pool.waitForCapacity(10_000, mode.log);
          const result = await replaySecondFactorSql(setup.databaseUrl, setup.pool, how, 4_000);
          mode.log(`    SQL replay ${how.padEnd(16)} ${result.rate.toFixed(0)}/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms`);
          return result;
        },
      })),
      rounds: 2,
    });
    return { cpu, waits: waitSummary, sample, replay };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(
  mode: Mode,
  results: Record<number, Record<string, Sample[]>>,
  connectionCounts: number[],
  rounds: number,
  timing: Timing,
  users: number,
  profile: Profile | undefined,
  counts: Record<string, Record<string, PerRequest>>,
): Omit<Section, 'seconds'> {
  const judged = !mode.quick;
  const rows: Table['rows'] = [];
  const targets: Section['targets'] = [];
  let best = 0;
  for (const connections of connectionCounts) {
    const per = results[connections]!;
    for (const name of ['twofold', 'Better Auth']) {
      const m = medianSample(per[name]!);
      if (name === 'twofold') best = Math.max(best, m.rate);
      rows.push([
        connections,
        name,
        rate(m.rate),
        ms(m.p50),
        ms(m.p99),
        `${m.cpuServer.toFixed(2)} / ${m.cpuPostgres.toFixed(2)} / ${m.cpuGenerator.toFixed(2)}`,
        m.errors,
      ]);
    }
    const throughput = pairedRatio(per.twofold!.map((s) => s.rate), per['Better Auth']!.map((s) => s.rate));
    const p99 = pairedRatio(per.twofold!.map((s) => s.latency.p99), per['Better Auth']!.map((s) => s.latency.p99));
    targets.push({ label: `${connections} connections: throughput vs Better Auth`, goal: '≥ 2×', actual: ratio(throughput), met: judged ? throughput >= 2 : null });
    targets.push({ label: `${connections} connections: p99 vs Better Auth`, goal: '≤ ½ (0.50×)', actual: ratio(p99), met: judged ? p99 <= 0.5 : null });
  }
  targets.push({
    label: 'verifications/s, one process, database on the same machine',
    goal: '≥ 2,000/s',
    actual: `${rate(best)}/s (best of 10 and 50 connections; 2 workers: see benchmark 8)`,
    met: judged ? best >= 2000 : null,
  });

  const tables: Table[] = [
    {
      columns: ['connections', 'server', 'verifications/s', 'p50 ms', 'p99 ms', 'CPU cores: server / PostgreSQL / generator', 'errors'],
      rows,
    },
  ];
  tables.push(countTable(counts));
  const success = counts.twofold?.['right code'];
  if (success) {
    targets.push({
      label: 'a right code: round trips / writing commits per step',
      goal: '≤ 2 / ≤ 1',
      actual: `${fixed(success.roundTrips)} / ${fixed(success.writeCommits)}`,
      met: success.roundTrips <= 2.001 && success.writeCommits <= 1.001,
    });
  }
  const wrong = counts.twofold?.['wrong code'];
  if (wrong) targets.push({ label: 'a wrong code: round trips per step', goal: '≤ 2', actual: fixed(wrong.roundTrips), met: wrong.roundTrips <= 2.001 });
  const notes = [
    `${rounds} interleaved rounds per connection count; each sample ${timing.warmupMs / 1000} s of warm-up then ${timing.durationMs / 1000} s measured; ${users.toLocaleString('en-US')} seeded users per product.`,
    'Ratios are computed within each round (twofold ÷ Better Auth), then the median is taken.',
    'PostgreSQL runs with its defaults (synchronous_commit=on, fsync=on): every committed write waits for a WAL flush to disk.',
  ];
  if (profile) {
    tables.push({
      title: `Where twofold's time goes (one more 50-connection sample, ${rate(profile.sample.rate)}/s, under node --cpu-prof): self time by place, share of all profile samples`,
      columns: ['place', 'share'],
      rows: profile.cpu.categories.map((c) => [c.name, percent(c.share)]),
    });
    tables.push({
      title: 'Hottest functions (self time, idle excluded from the list)',
      columns: ['function', 'where', 'share'],
      rows: profile.cpu.functions.slice(0, 8).map((f) => [f.name || '(anonymous)', f.where, percent(f.share)]),
    });
    tables.push({
      title: `PostgreSQL backends of twofold's database during that sample (pg_stat_activity every 50 ms, ${profile.waits.samples} samples)`,
      columns: ['backend state', 'share of observations'],
      rows: profile.waits.states.slice(0, 8).map((s) => [s.state, percent(s.share)]),
    });
    const replayRow = (how: string) => {
      const runs = profile.replay[how]!;
      return [how, runs[0]?.statements ?? 0, rate(median(runs.map((r) => r.rate))), ms(median(runs.map((r) => r.p50))), ms(median(runs.map((r) => r.p99)))];
    };
    tables.push({
      title:
        "The database's share alone: twofold's SQL for one successful 2FA step, replayed from a pg Pool of 10 with 50 in flight " +
        '(no HTTP, no application code; 2 interleaved rounds of 4 s): each statement on its own as today, all in one transaction, ' +
        'all in one round trip (one script)',
      columns: ['statements sent', 'statements', 'steps/s', 'p50 ms', 'p99 ms'],
      rows: [replayRow('autocommit'), replayRow('one transaction'), replayRow('one round trip')],
    });
  }
  return {
    id: 'second-factor',
    title: 'The 2FA step over HTTP (PostgreSQL)',
    method: SECOND_FACTOR_METHOD,
    tables,
    targets,
    notes,
    data: { timing, rounds, users, results, profile, counts },
  };
}

const fixed = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** Statements and commits per request, both products, as counted in the server and by PostgreSQL. */
export function countTable(counts: Record<string, Record<string, PerRequest>>): Table {
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
