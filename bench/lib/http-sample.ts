import type { CodePool } from './code-pool.ts';
import { CpuMeter, type CpuSplit } from './cpu.ts';
import { runClosedLoop, type Connection, type LoadResult } from './load.ts';
import type { ServerProcess } from './process.ts';
import { median } from './stats.ts';

/**
 * One side of an HTTP comparison (twofold, Better Auth, twofold with N workers, ...) and how to take one
 * sample of it: make sure enough pending logins and unspent codes exist, run the closed loop, and note
 * where the CPU went.
 */
export interface Side {
  name: string;
  server: ServerProcess;
  pool: CodePool<unknown>;
  iteration: (connection: Connection) => Promise<boolean | null>;
  /** Seeds more pending logins when fewer than `needed` are left. */
  topUp: (needed: number) => Promise<void>;
  /** Does an iteration spend a seeded ticket (the 2FA step), or open its own login (the journey)? */
  usesTickets: boolean;
  /** Highest rate seen so far: sizes the supply of the next sample. */
  expectedRate: number;
  /** Seeds this many more users (each with a pending login) into the pool, when its codes would run short. */
  addUsers?: (count: number) => Promise<void>;
}

/**
 * A sample is supplied for three times the highest rate seen so far (the wake-up pass measures the first), so a
 * server that got three times faster since the last run still cannot run out of users or codes mid-sample.
 */
export const SUPPLY_HEADROOM = 3;

export interface Timing {
  warmupMs: number;
  durationMs: number;
}

export type Sample = LoadResult & { cpu: CpuSplit };

/** A side spending the seeded pending logins of `supply` (a product's setup: its pool, top-up and seeding). */
export function ticketSide(
  name: string,
  server: ServerProcess,
  iteration: Side['iteration'],
  supply: Pick<Side, 'pool' | 'topUp' | 'addUsers'>,
  expectedRate: number,
): Side {
  return { name, server, iteration, pool: supply.pool, topUp: supply.topUp, addUsers: supply.addUsers, usesTickets: true, expectedRate };
}

/** `wakeUp`: a first, unkept pass (JIT, pools); it may be too short to complete anything. */
export async function sampleSide(side: Side, connections: number, timing: Timing, log: (message: string) => void, wakeUp = false): Promise<Sample> {
  const needed = Math.ceil((side.expectedRate * (timing.warmupMs + timing.durationMs) * SUPPLY_HEADROOM) / 1000) + connections * 2;
  // Each user gives at most two codes per time step (this step's and the next): enough users for the sample.
  const short = Math.ceil(needed / 2) - side.pool.users.length;
  if (short > 0 && side.addUsers) {
    log(`    (${side.name}: seeding ${short} more users for ${needed} uses at up to ${SUPPLY_HEADROOM}× ${Math.round(side.expectedRate)}/s)`);
    await side.addUsers(short);
  }
  if (side.usesTickets) await side.topUp(needed);
  await side.pool.waitForCapacity(needed, log, side.usesTickets);
  const meter = new CpuMeter(side.server);
  meter.start();
  const result = await runClosedLoop({ origin: side.server.origin, connections, ...timing, iteration: side.iteration });
  const cpu = meter.stop();
  side.expectedRate = Math.max(side.expectedRate, result.rate);
  const total = result.ok + result.errors;
  // A wake-up pass only measures how fast the server is (sizing the next samples): it may outrun its supply.
  if (result.starved > 0 && !wakeUp) throw new Error(`${side.name}: the supply of users/codes ran out during a sample (${result.starved} connections starved)`);
  if (total === 0 && !wakeUp) {
    throw new Error(`${side.name}: no iteration finished within the ${timing.durationMs} ms sample (each takes longer than that under this load)`);
  }
  if (total > 0 && result.errors / total > 0.01) {
    throw new Error(`${side.name}: ${result.errors} of ${total} iterations failed; first: ${result.firstError ?? 'none'}\n${side.server.stderr().slice(-2000)}`);
  }
  log(`    ${side.name.padEnd(22)} c=${String(connections).padEnd(3)} ${result.rate.toFixed(1).padStart(8)}/s  p50 ${result.latency.p50.toFixed(2)} ms  p99 ${result.latency.p99.toFixed(2)} ms  cpu server ${cpu.server.toFixed(2)} pg ${cpu.postgres.toFixed(2)} gen ${cpu.generator.toFixed(2)}`);
  return { ...result, cpu };
}

/** Medians of a list of samples. */
export function medianSample(samples: readonly Sample[]) {
  const of = (pick: (s: Sample) => number) => median(samples.map(pick));
  return {
    rate: of((s) => s.rate),
    p50: of((s) => s.latency.p50),
    p99: of((s) => s.latency.p99),
    errors: samples.reduce((sum, s) => sum + s.errors, 0),
    cpuServer: of((s) => s.cpu.server),
    cpuPostgres: of((s) => s.cpu.postgres),
    cpuGenerator: of((s) => s.cpu.generator),
    samples: samples.length,
  };
}
