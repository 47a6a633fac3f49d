import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Connection } from './load.ts';
import { ADMIN_URL } from './pg.ts';
import { ROOT, type ServerProcess } from './process.ts';
import { sleep } from './stats.ts';

/**
 * Statements and commits per request, counted two ways for each product: inside the server, by a preload
 * (bench/lib/count-queries.mjs) that counts every node-postgres round trip and classifies it (read, write,
 * BEGIN/COMMIT, and which transactions committed a write); and by PostgreSQL itself, the `xact_commit` delta of
 * the product's own database in `pg_stat_database` (every committed transaction, read-only ones included).
 * One connection, requests one after the other, so nothing else runs in that database meanwhile.
 */

export interface QueryCounts {
  roundTrips: number;
  statements: number;
  reads: number;
  writes: number;
  /** Transactions ended by COMMIT or an autocommit statement, as the server sent them. */
  commits: number;
  /** Of those, the ones that wrote (each waits for a WAL flush). */
  writeCommits: number;
  rollbacks: number;
}

/** What the server sent inside requests, and apart from them what its own timers sent (outside any request). */
type CountFile = QueryCounts & { background?: QueryCounts };

export interface PerRequest extends QueryCounts {
  /** `pg_stat_database.xact_commit` delta of the database, per request. */
  xactCommit: number;
  requests: number;
}

export const PRELOAD = join(ROOT, 'bench/lib/count-queries.mjs');

const ZERO: QueryCounts = { roundTrips: 0, statements: 0, reads: 0, writes: 0, commits: 0, writeCommits: 0, rollbacks: 0 };

function readCounts(dir: string): { requests: QueryCounts; background: QueryCounts } {
  const requests = { ...ZERO };
  const background = { ...ZERO };
  for (const file of readdirSync(dir)) {
    const counts = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CountFile;
    for (const key of Object.keys(ZERO) as Array<keyof QueryCounts>) {
      requests[key] += counts[key];
      background[key] += counts.background?.[key] ?? 0;
    }
  }
  return { requests, background };
}

async function xactCommit(databaseName: string): Promise<number> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1', [databaseName]);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** The environment a server needs to count (NODE_OPTIONS keeps any --import it had). */
export function countingEnv(dir: string): Record<string, string> {
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${PRELOAD}`.trim(), TWOFOLD_BENCH_QUERY_DIR: dir };
}

export interface CountPlan {
  databaseName: string;
  /** Starts one more server of the product, with this extra environment, on its seeded database. */
  start: (env: Record<string, string>) => Promise<ServerProcess>;
  /** Requests to count, by name (a successful step, a wrong code): each returns true when it answered as expected. */
  phases: Array<{ name: string; iteration: (connection: Connection) => Promise<boolean | null>; requests?: number }>;
  requests: number;
}

/**
 * PostgreSQL publishes a backend's counters when it has been idle for a while (at most ~10 s in PostgreSQL 15),
 * so each phase is followed by a quiet pause before `xact_commit` is read.
 */
const STATS_QUIET_MS = 11_500;

export async function countPerRequest(plan: CountPlan, log: (message: string) => void): Promise<Record<string, PerRequest>> {
  const dir = mkdtempSync(join(tmpdir(), 'twofold-queries-'));
  const server = await plan.start(countingEnv(dir));
  const connection = new Connection(server.origin);
  const out: Record<string, PerRequest> = {};
  try {
    // Warm: pools open, first-use statements done.
    for (let i = 0; i < 5; i++) await plan.phases[0]!.iteration(connection);
    await sleep(STATS_QUIET_MS);
    // What the database commits with no request at all (the servers' own timers: the webhook outbox is polled
    // once a second by every instance on it, the counted one and the benchmark's other), per millisecond.
    const quietFrom = { commits: await xactCommit(plan.databaseName), at: Date.now() };
    await sleep(STATS_QUIET_MS);
    const idlePerMs = ((await xactCommit(plan.databaseName)) - quietFrom.commits) / (Date.now() - quietFrom.at);
    for (const phase of plan.phases) {
      const before = readCounts(dir);
      const commitsBefore = await xactCommit(plan.databaseName);
      const startedAt = Date.now();
      let done = 0;
      for (let i = 0; i < (phase.requests ?? plan.requests); i++) {
        const ok = await phase.iteration(connection);
        if (ok === null) break;
        if (!ok) throw new Error(`${phase.name}: unexpected answer while counting statements`);
        done++;
      }
      await sleep(STATS_QUIET_MS);
      const after = readCounts(dir);
      const commitsAfter = await xactCommit(plan.databaseName);
      const idleCommits = idlePerMs * (Date.now() - startedAt);
      const per = (key: keyof QueryCounts) => (after.requests[key] - before.requests[key]) / Math.max(1, done);
      // PostgreSQL counts the servers' own timers' transactions too: as many as a quiet window had are taken off.
      out[phase.name] = {
        roundTrips: per('roundTrips'),
        statements: per('statements'),
        reads: per('reads'),
        writes: per('writes'),
        commits: per('commits'),
        writeCommits: per('writeCommits'),
        rollbacks: per('rollbacks'),
        xactCommit: Math.max(0, commitsAfter - commitsBefore - idleCommits) / Math.max(1, done),
        requests: done,
      };
      const o = out[phase.name]!;
      log(`    ${phase.name}: ${o.roundTrips.toFixed(2)} round trips, ${o.commits.toFixed(2)} commits (${o.writeCommits.toFixed(2)} writing), xact_commit ${o.xactCommit.toFixed(2)} per request (${done}); the counted server's own timers meanwhile (not counted): ${after.background.roundTrips - before.background.roundTrips} round trips; idle commits taken off PostgreSQL's count: ${idleCommits.toFixed(1)}`);
    }
    return out;
  } finally {
    await connection.close().catch(() => undefined);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
