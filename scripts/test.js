#!/usr/bin/env node
// `npm test`: type-check (server, account page, benchmarks), then the whole suite on embedded PGlite, again on
// PostgreSQL (all but the files that never reach the database: DATABASE_AGNOSTIC), and the second-factor and
// replay tests a third time with twofold behind PgBouncer (transaction pooling).
// PostgreSQL comes from TEST_DATABASE_URL (an admin URL; tests create and drop their own databases),
// else 127.0.0.1:5432 as user postgres; PgBouncer from TEST_PGBOUNCER_URL, else 127.0.0.1:6432 (it must
// reach that PostgreSQL, any database name). In CI (CI=true) a missing PostgreSQL or PgBouncer fails the
// run; on a developer machine it is reported and that pass is left out.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import pg from 'pg';

const extra = process.argv.slice(2);
const ci = process.env.CI === 'true' || process.env.CI === '1';
const pgUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const bouncerUrl = process.env.TEST_PGBOUNCER_URL || 'postgres://postgres@127.0.0.1:6432/postgres';
/**
 * What runs behind PgBouncer: the second-factor flows and the replay and burst attacks, with two server
 * instances (processes, or two in-process servers with a pool each: test/helpers/server.ts), and the
 * pooler's own checks (migrations, timeouts).
 */
const PGBOUNCER_FILES = [
  'test/pg/pooler.pgbouncer.test.ts',
  'test/pg/concurrent-start.test.ts',
  'test/pg/replay-across-instances.test.ts',
  'test/security/replay.pg.test.ts',
  'test/security/transactions.test.ts',
  'test/security/brute-force.test.ts',
  'test/operations/instances.pg.test.ts',
  'test/api/totp-login.test.ts',
  'test/api/second-factor-guard.test.ts',
];
/**
 * Files the PostgreSQL pass leaves out: they never reach the database the pass is about (the core's own tests run on
 * in-memory stores, the build, configuration and data-directory tests start on `memory://` whatever the pass, the
 * data-directory template is PGlite's own, and the account page's browser tests drive the page, whose API the other
 * files prove on PostgreSQL). The suite runs one file at a time, so running them twice cost CI minutes and proved
 * nothing more.
 */
const DATABASE_AGNOSTIC = ['src/**', 'test/core/**', 'test/web/**', 'test/build.test.ts', 'test/config.test.ts', 'test/data-dir.test.ts', 'test/pglite-template.test.ts', 'test/server/**'];
mkdirSync('.tmp', { recursive: true });

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

async function answers(what, url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    console.error(`${what} at ${new URL(url).host} does not answer: ${error.message}`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function vitestPass(name, env, files = [], exclude = []) {
  const report = `.tmp/vitest-${name}.json`;
  console.log(`\n=== test pass: ${name} ===`);
  const excluded = exclude.flatMap((glob) => ['--exclude', glob]);
  const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...excluded, ...extra, ...files], env);
  let counts = { passed: 0, failed: 0, skipped: 0 };
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    counts = { passed: json.numPassedTests, failed: json.numFailedTests, skipped: json.numPendingTests + json.numTodoTests };
  } catch {
    counts.failed = 1;
  }
  if (status !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

/** The tamper-evident audit log must verify after the whole suite's traffic (written by test/helpers/global-setup.ts). */
const AUDIT_CHAIN_REPORT = '.tmp/audit-chain-after-suite.json';
function auditChainAfterSuite(pass) {
  try {
    const { breaks, events, chains } = JSON.parse(readFileSync(AUDIT_CHAIN_REPORT, 'utf8'));
    console.log(`audit chain after the ${pass} pass: ${events} events in ${chains} chains, ${breaks.length} breaks`);
    return breaks.length === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
  } catch (error) {
    console.error(`the audit chain was not verified after the suite: ${error.message}`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const add = (c) => {
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
};

console.log('=== type check ===');
// The server and tests, the account page (browser libs, no Node types) and the benchmarks: one project each.
for (const project of ['.', 'web', 'bench']) {
  if (run('npx', ['tsc', '--noEmit', '-p', project]) !== 0) totals.failed += 1;
}

add(vitestPass('pglite', { TEST_DATABASE_URL: '' }));

if (await answers('PostgreSQL', pgUrl)) {
  rmSync(AUDIT_CHAIN_REPORT, { force: true });
  add(vitestPass('postgres', { TEST_DATABASE_URL: pgUrl, TEST_PGBOUNCER_URL: '' }, [], DATABASE_AGNOSTIC));
  add(auditChainAfterSuite('PostgreSQL'));
  // A file filter would select nothing when the run names files of its own: then this pass is left out.
  if (extra.some((arg) => !arg.startsWith('-'))) {
    console.log('PgBouncer pass left out: the run names its own files.');
  } else if (await answers('PgBouncer', bouncerUrl)) {
    rmSync(AUDIT_CHAIN_REPORT, { force: true });
    add(vitestPass('pgbouncer', { TEST_DATABASE_URL: pgUrl, TEST_PGBOUNCER_URL: bouncerUrl }, PGBOUNCER_FILES));
    add(auditChainAfterSuite('PgBouncer'));
  } else if (ci) {
    console.error('CI requires PgBouncer for the third pass (.ci/start-pgbouncer): failing.');
    totals.failed += 1;
  } else {
    console.warn('PgBouncer pass left out on this machine (set TEST_PGBOUNCER_URL or run .ci/start-pgbouncer).');
  }
} else if (ci) {
  console.error('CI requires PostgreSQL for the second pass: failing.');
  totals.failed += 1;
} else {
  console.warn('PostgreSQL pass left out on this machine (set TEST_DATABASE_URL or start PostgreSQL on 127.0.0.1:5432).');
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = totals.failed === 0 && totals.passed > 0 ? 0 : 1;
