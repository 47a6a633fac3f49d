// A drill, run by hand (`npm run drill:pg-restart`): PostgreSQL restarted under sign-in load, once cleanly
// (`pg_ctl restart -m fast`) and once as a crash (`-m immediate`: no checkpoint, WAL recovery at start). It runs
// a throwaway PostgreSQL cluster of its own (initdb in a temporary folder, port 55499), so nothing else on the
// machine is disturbed, and one twofold process over it. 20 closed-loop clients finish TOTP sign-ins, retrying
// a typed 503 with the same transaction and code. Afterwards the database must hold no consumed transaction
// without its session and events, no TOTP step spent without a sign-in, and no replay alarm (each code has one
// client: an alarm would be false). Prints what clients met and how long the database was away; exit 1 on a fault.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { auditCompletions, spentSteps } from '../../test/helpers/half-applied.ts';
import { startServerProcess } from '../../test/helpers/process.ts';
import { retryingClient, type Outcome } from '../../test/helpers/retrying-client.ts';
import { TEST_KEYS } from '../../test/helpers/server.ts';

const PORT = 55499;
const CLIENTS = 20;
const USERS_PER_CLIENT = 15;
const URL = `postgres://postgres@127.0.0.1:${PORT}/postgres`;

const version = readdirSync('/usr/lib/postgresql').sort().at(-1);
const bin = (name: string) => `/usr/lib/postgresql/${version}/bin/${name}`;
const dir = mkdtempSync(join(tmpdir(), 'twofold-drill-pg-'));
const asRoot = process.getuid?.() === 0;
if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));

/** pg_ctl and initdb refuse to run as root: as root they run as `postgres`. */
function pgTool(name: string, args: string[]) {
  const command = asRoot ? 'su' : bin(name);
  const argv = asRoot ? ['postgres', '-s', '/bin/sh', '-c', [bin(name), ...args].map((a) => `'${a}'`).join(' ')] : args;
  const result = spawnSync(command, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${name} ${args.join(' ')}: ${result.stderr || result.stdout}`);
}
const options = `-p ${PORT} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`;
const pgCtl = (...args: string[]) => pgTool('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-o', options, '-w', ...args]);

async function restartUnderLoad(mode: 'fast' | 'immediate', serverUrl: string, round: number) {
  const client = retryingClient(serverUrl, { maxRetries: 60, pauseMs: 250 });
  const prefix = `drill${round}.${Date.now().toString(36)}`;
  const users = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      const mine = [];
      for (let u = 0; u < USERS_PER_CLIENT; u++) mine.push(await client.enrolled(prefix, c * USERS_PER_CLIENT + u));
      return mine;
    }),
  );
  const db = new pg.Client({ connectionString: URL });
  await db.connect();
  const before = await spentSteps(db, prefix);
  await db.end();

  // The restart comes a second into the load; the clients go on through it.
  const restart = (async () => {
    await new Promise((r) => setTimeout(r, 1000));
    const started = Date.now();
    pgCtl('restart', '-m', mode);
    return Date.now() - started;
  })();
  const outcomes: Outcome[] = (await Promise.all(users.map(async (mine) => {
    const results: Outcome[] = [];
    for (const user of mine) results.push(await client.signIn(user));
    return results;
  }))).flat();
  const restartMs = await restart;

  const check = new pg.Client({ connectionString: URL });
  await check.connect();
  const audit = await auditCompletions(check, prefix, before);
  await check.end();
  const count = (result: Outcome['result']) => outcomes.filter((o) => o.result === result).length;
  const signedIn = new Set(outcomes.filter((o) => o.result === 'signed-in').map((o) => o.email));
  const disagree = audit.signedIn.filter((e) => !signedIn.has(e)).length + [...signedIn].filter((e) => !audit.signedIn.includes(e)).length;
  return {
    mode,
    signIns: outcomes.length,
    signedIn: count('signed-in'),
    refusedCleanly: count('temporary'),
    wrong: count('wrong'),
    retried: outcomes.filter((o) => o.retries > 0).length,
    retries: outcomes.reduce((n, o) => n + o.retries, 0),
    restartMs,
    halfApplied: audit.halfApplied.length,
    falseReplayAlarms: audit.replayAlarms,
    clientsVsDatabase: disagree,
    problems: [...audit.halfApplied, ...outcomes.filter((o) => o.result === 'wrong').map((o) => `${o.email}: ${o.detail}`)],
  };
}

let failed = false;
try {
  pgTool('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  pgCtl('start');
  const server = await startServerProcess({ DATABASE_URL: URL, TWOFOLD_SECRET_KEYS: TEST_KEYS });
  try {
    const rounds = [await restartUnderLoad('fast', server.url, 1), await restartUnderLoad('immediate', server.url, 2)];
    for (const { problems, ...figures } of rounds) {
      console.log(JSON.stringify(figures));
      for (const p of problems) console.log(`  ${p}`);
      if (figures.wrong || figures.halfApplied || figures.falseReplayAlarms || figures.clientsVsDatabase) failed = true;
    }
  } finally {
    await server.stop();
  }
} finally {
  try {
    pgCtl('stop', '-m', 'immediate');
  } catch {
    // Already down: nothing to stop.
  }
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed ? 'drill: FAILED' : 'drill: every sign-in whole or cleanly refused, no false replay alarm');
process.exit(failed ? 1 : 0);
