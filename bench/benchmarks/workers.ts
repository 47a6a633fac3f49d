import { twofoldSecondFactor } from '../lib/flows.ts';
import { medianSample, sampleSide, ticketSide, type Timing } from '../lib/http-sample.ts';
import { ms, rate, ratio, type Mode, type Section } from '../lib/report.ts';
import { interleave } from '../lib/sampler.ts';
import { twofoldSetup } from '../lib/setups.ts';
import { pairedRatio } from '../lib/stats.ts';
import type { ServerProcess } from '../lib/process.ts';
import { startTwofold } from '../lib/twofold.ts';

/** 8. The 2FA step with `serve --workers 1` and `--workers 2`, same database, taking turns. */

const CONNECTIONS = 50;

export async function workers(mode: Mode): Promise<Omit<Section, 'seconds'>> {
  const users = mode.quick ? 2_000 : 10_000;
  const timing: Timing = mode.quick ? { warmupMs: 300, durationMs: 1_500 } : { warmupMs: 1_000, durationMs: 5_000 };
  const rounds = mode.quick ? 1 : 5;
  const setup = await twofoldSetup({ databaseName: `bench_${mode.runId}_workers`, users, ticketsPerUser: 1, workers: 1, log: mode.log });
  let two: Awaited<ReturnType<typeof startTwofold>> | undefined;
  try {
    two = await startTwofold({ databaseUrl: setup.databaseUrl, keySpec: setup.keySpec, workers: 2 });
    const processes = { one: setup.server.processCount(), two: two.processCount() };
    // Both servers share one database, so they share one pool of users and transactions too.
    const side = (name: string, server: ServerProcess) => ticketSide(name, server, twofoldSecondFactor(setup.pool), setup, 400);
    const sides = [side('1 worker', setup.server), side('2 workers', two)];
    if (!mode.quick) for (const s of sides) await sampleSide(s, CONNECTIONS, { warmupMs: 0, durationMs: 2_000 }, mode.log, true);
    const results = await interleave({
      candidates: sides.map((s) => ({ name: s.name, sample: () => sampleSide(s, CONNECTIONS, timing, mode.log) })),
      rounds,
    });
    const one = medianSample(results['1 worker']!);
    const both = medianSample(results['2 workers']!);
    const gain = pairedRatio(results['2 workers']!.map((s) => s.rate), results['1 worker']!.map((s) => s.rate));
    const best = Math.max(one.rate, both.rate);
    const row = (name: string, count: number, m: typeof one) => [
      name,
      count,
      rate(m.rate),
      ms(m.p50),
      ms(m.p99),
      `${m.cpuServer.toFixed(2)} / ${m.cpuPostgres.toFixed(2)} / ${m.cpuGenerator.toFixed(2)}`,
    ];
    return {
      id: 'workers',
      title: 'Workers: the 2FA step with 1 and 2 workers',
      method:
        `The 2FA step of benchmark 3 (twofold, ${CONNECTIONS} connections) against \`serve --workers 1\` and \`serve --workers 2\` ` +
        '(node:cluster, workers sharing the port), both running on the same database and taking turns: ' +
        `${rounds} interleaved rounds of ${timing.durationMs / 1000} s. Each worker has its own pool of 10 PostgreSQL connections.`,
      tables: [
        {
          columns: ['server', 'processes', 'verifications/s', 'p50 ms', 'p99 ms', 'CPU cores: server / PostgreSQL / generator'],
          rows: [row('--workers 1', processes.one, one), row('--workers 2', processes.two, both)],
        },
      ],
      targets: [
        { label: '2 workers ÷ 1 worker', goal: 'no target set (reported)', actual: ratio(gain), met: null },
        { label: 'verifications/s on the 2-core machine, database on the same machine', goal: '≥ 2,000/s', actual: `${rate(best)}/s (best configuration)`, met: mode.quick ? null : best >= 2000 },
      ],
      notes: processes.two < 3 ? ['`--workers 2` did not start a primary and two workers in this checkout: the figure is for whatever `serve` ran.'] : [],
      data: { timing, rounds, users, connections: CONNECTIONS, processes, results },
    };
  } finally {
    await two?.stop();
    await setup.close();
  }
}
