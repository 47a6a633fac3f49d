import { betterAuthJourney } from '../peers/better-auth/index.ts';
import { twofoldJourney } from '../lib/flows.ts';
import { medianSample, sampleSide, type Sample, type Side, type Timing } from '../lib/http-sample.ts';
import { ms, rate, ratio, type Mode, type Section } from '../lib/report.ts';
import { interleave } from '../lib/sampler.ts';
import { bothSetups } from '../lib/setups.ts';
import { pairedRatio } from '../lib/stats.ts';

/** 4. The full 2FA login journey, per second, twofold vs Better Auth. */

const CONNECTIONS = 10;

export async function journey(mode: Mode): Promise<Omit<Section, 'seconds'>> {
  const users = mode.quick ? 500 : 3_000;
  const timing: Timing = mode.quick ? { warmupMs: 800, durationMs: 2_500 } : { warmupMs: 1_500, durationMs: 6_000 };
  const rounds = mode.quick ? 1 : 5;
  const { twofold, betterAuth } = await bothSetups(
    { databaseName: `bench_${mode.runId}_jrn_tf`, users, ticketsPerUser: 0, log: mode.log },
    { databaseName: `bench_${mode.runId}_jrn_ba`, users, ticketsPerUser: 0, log: mode.log },
  );
  try {
    const noTopUp = async () => undefined;
    const sides: Side[] = [
      { name: 'twofold', server: twofold.server, pool: twofold.pool, iteration: twofoldJourney(twofold.pool), topUp: noTopUp, addUsers: twofold.addUsers, usesTickets: false, expectedRate: 50 },
      {
        name: 'Better Auth',
        server: betterAuth.server,
        pool: betterAuth.pool,
        iteration: betterAuthJourney(betterAuth.pool, betterAuth.server.origin),
        topUp: noTopUp,
        addUsers: betterAuth.addUsers,
        usesTickets: false,
        expectedRate: 50,
      },
    ];
    if (!mode.quick) for (const side of sides) await sampleSide(side, CONNECTIONS, { warmupMs: 0, durationMs: 2_000 }, mode.log, true);
    const results = await interleave({
      candidates: sides.map((side) => ({ name: side.name, sample: () => sampleSide(side, CONNECTIONS, timing, mode.log) })),
      rounds,
    });
    const t = medianSample(results.twofold!);
    const b = medianSample(results['Better Auth']!);
    const perSecond = (samples: Sample[]) => samples.map((s) => s.rate);
    const throughput = pairedRatio(perSecond(results.twofold!), perSecond(results['Better Auth']!));
    const row = (name: string, m: ReturnType<typeof medianSample>) => [
      name,
      rate(m.rate),
      ms(m.p50),
      ms(m.p99),
      `${m.cpuServer.toFixed(2)} / ${m.cpuPostgres.toFixed(2)} / ${m.cpuGenerator.toFixed(2)}`,
      m.errors,
    ];
    return {
      id: 'journey',
      title: 'Full 2FA login journey',
      method:
        'One journey = password sign-in → pending second factor → the current TOTP code → session → one authenticated call. ' +
        'twofold: `POST /v1/sessions` (202, transactionId) → `POST /v1/sessions/second-factor` (201, token) → `GET /v1/me`. ' +
        'Better Auth: `POST /api/auth/sign-in/email` (twoFactorRedirect + cookie) → `POST /api/auth/two-factor/verify-totp` ' +
        `(session cookie) → \`GET /api/auth/get-session\`. ${CONNECTIONS} connections, each running journeys back to back; ` +
        `latency is the whole journey. ${rounds} interleaved rounds of ${timing.durationMs / 1000} s, ${users.toLocaleString('en-US')} users per product.`,
      tables: [{ columns: ['server', 'journeys/s', 'p50 ms', 'p99 ms', 'CPU cores: server / PostgreSQL / generator', 'errors'], rows: [row('twofold', t), row('Better Auth', b)] }],
      targets: [{ label: 'journeys/s, twofold ÷ Better Auth', goal: 'no target set (reported)', actual: ratio(throughput), met: null }],
      notes: [
        'The password hash dominates both journeys, and they differ: twofold stores argon2id (m=19 MiB, t=2, p=1, OWASP), ' +
          'Better Auth scrypt (N=16384, r=16, p=1, its default). The journey measures each product as shipped, not the same work.',
      ],
      data: { timing, rounds, users, connections: CONNECTIONS, results },
    };
  } finally {
    await betterAuth.close();
    await twofold.close();
  }
}
