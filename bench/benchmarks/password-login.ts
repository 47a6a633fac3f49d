import { fork } from 'node:child_process';
import { passwordDigest } from '../../src/core/password.ts';
import { twofoldPasswordLogin } from '../lib/flows.ts';
import { runClosedLoop } from '../lib/load.ts';
import { CpuMeter } from '../lib/cpu.ts';
import { createDatabase, dropDatabase, openPool } from '../lib/pg.ts';
import { ROOT } from '../lib/process.ts';
import { ms, percent, rate, type Mode, type Section } from '../lib/report.ts';
import { interleave } from '../lib/sampler.ts';
import { median, pairedRatio } from '../lib/stats.ts';
import { BENCH_PASSWORD, migrateTwofold, newKeySpec, startTwofold, TwofoldSeeder } from '../lib/twofold.ts';

/** 2. Password login over HTTP against PostgreSQL vs the bare argon2id verify rate, same parameters, same cores. */

const CONNECTIONS = 10;

interface Measured {
  rate: number;
  p50?: number;
  p99?: number;
  /** Cores busy: the hashing process alone, or server + PostgreSQL + generator. */
  cores: number;
  split?: { server: number; postgres: number; generator: number };
}

const cores = (samples: Measured[]) => median(samples.map((s) => s.cores));
/** CPU milliseconds per login or hash: cores busy ÷ rate. */
const cpuEach = (samples: Measured[]) => ms(median(samples.map((s) => (s.cores / s.rate) * 1000)));

export async function passwordLogin(mode: Mode): Promise<Omit<Section, 'seconds'>> {
  const timing = mode.quick ? { warmupMs: 300, durationMs: 1_500 } : { warmupMs: 1_000, durationMs: 5_000 };
  const rounds = mode.quick ? 1 : 5;
  const name = `bench_${mode.runId}_login`;
  const url = await createDatabase(name);
  const db = openPool(url);
  const bare = fork(new URL('./argon2-child.ts', import.meta.url).pathname, [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let server: Awaited<ReturnType<typeof startTwofold>> | undefined;
  try {
    await migrateTwofold(url);
    const keySpec = newKeySpec();
    const seeder = new TwofoldSeeder(db, keySpec);
    const users = await seeder.users(mode.quick ? 200 : 2_000, 'p', false);
    await seeder.analyze();
    const hash = await seeder.passwordHash();
    server = await startTwofold({ databaseUrl: url, keySpec, workers: 1 });
    const iteration = twofoldPasswordLogin(users.map((u) => u.email));
    const http = async (): Promise<Measured> => {
      const meter = new CpuMeter(server!);
      meter.start();
      const result = await runClosedLoop({ origin: server!.origin, connections: CONNECTIONS, ...timing, iteration });
      const cpu = meter.stop();
      if (result.errors > 0 || result.ok === 0) throw new Error(`password login failed: ${result.firstError ?? 'no successful login'}`);
      const cores = cpu.server + cpu.postgres + cpu.generator;
      mode.log(`    HTTP login        ${result.rate.toFixed(1)}/s  p50 ${result.latency.p50.toFixed(1)} ms  p99 ${result.latency.p99.toFixed(1)} ms  cores ${cores.toFixed(2)} (server ${cpu.server.toFixed(2)}, PostgreSQL ${cpu.postgres.toFixed(2)}, generator ${cpu.generator.toFixed(2)})`);
      return { rate: result.rate, p50: result.latency.p50, p99: result.latency.p99, cores, split: cpu };
    };
    const bareRate = (): Promise<Measured> =>
      new Promise((resolve, reject) => {
        bare.once('message', (reply: { result?: { rate: number; cores: number }; error?: string }) => {
          if (reply.error || !reply.result) return reject(new Error(reply.error ?? 'no result'));
          mode.log(`    bare argon2 verify ${reply.result.rate.toFixed(1)}/s  cores ${reply.result.cores.toFixed(2)}`);
          resolve({ rate: reply.result.rate, cores: reply.result.cores });
        });
        bare.send({ hash, digest: passwordDigest(BENCH_PASSWORD), concurrency: CONNECTIONS, ...timing });
      });

    const samples = await interleave({
      candidates: [
        { name: 'bare', sample: bareRate },
        { name: 'http', sample: http },
      ],
      rounds,
      warmupRounds: mode.quick ? 0 : 1,
    });
    const share = pairedRatio(samples.http!.map((s) => s.rate), samples.bare!.map((s) => s.rate));
    const httpRate = median(samples.http!.map((s) => s.rate));
    const bareMedian = median(samples.bare!.map((s) => s.rate));
    const params = /\$argon2id\$v=\d+\$([^$]+)\$/.exec(hash)?.[1] ?? 'unknown';
    return {
      id: 'password-login',
      title: 'Password login vs the bare argon2id rate',
      method:
        `\`POST /v1/sessions {login, password}\` over HTTP, ${CONNECTIONS} connections, for users without a second factor ` +
        '(201 with a session: look-up, argon2id verify, session insert, audit event), against twofold on PostgreSQL (one process). ' +
        `The floor is the bare argon2id verify of the same stored hash (parameters ${params}, from \`src/core/password.ts\`) ` +
        `with ${CONNECTIONS} calls in flight, in a separate Node process using the same @node-rs/argon2 and the default libuv ` +
        `thread pool, on the same cores. ${rounds} interleaved rounds of ${timing.durationMs / 1000} s (after ${timing.warmupMs / 1000} s of warm-up each).`,
      tables: [
        {
          columns: ['what', 'logins or hashes/s', 'p50 ms', 'p99 ms', 'cores busy', 'CPU ms each'],
          rows: [
            ['bare argon2id verify', rate(bareMedian), '–', '–', cores(samples.bare!).toFixed(2), cpuEach(samples.bare!)],
            [
              'HTTP password login (server + PostgreSQL + generator)',
              rate(httpRate),
              ms(median(samples.http!.map((s) => s.p50!))),
              ms(median(samples.http!.map((s) => s.p99!))),
              `${cores(samples.http!).toFixed(2)} (${(['server', 'postgres', 'generator'] as const)
                .map((k) => `${k === 'postgres' ? 'PostgreSQL' : k} ${median(samples.http!.map((s) => s.split![k])).toFixed(2)}`)
                .join(', ')})`,
              cpuEach(samples.http!),
            ],
          ],
        },
      ],
      targets: [{ label: 'HTTP login rate vs bare hash rate', goal: '≥ 90 %', actual: percent(share), met: mode.quick ? null : share >= 0.9 }],
      notes: ['argon2 runs on libuv\'s thread pool (4 threads by default), so one Node process already keeps both cores busy hashing.'],
      data: { timing, rounds, connections: CONNECTIONS, params, samples },
    };
  } finally {
    bare.kill();
    await server?.stop();
    await db.end();
    await dropDatabase(name);
  }
}
