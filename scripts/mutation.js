#!/usr/bin/env node
// `npm run test:mutation`: StrykerJS over the security core, one run per group of stryker/groups.mjs (configured in stryker/core.conf.mjs) (all of them,
// or those named in MUTATION_GROUP, comma-separated), then the score of each module from the groups' JSON reports,
// failing when any module is under the threshold (Stryker itself can only break on a run's total). Extra arguments
// go to Stryker, e.g. `MUTATION_GROUP=otp npm run test:mutation -- --mutate src/core/otp/hotp.ts` while working on
// one module, or `-- --force` for a run from scratch (it ignores the committed incremental files).
// Reports: .tmp/mutation/<group>/index.html (open it in a browser) and .tmp/mutation/<group>/mutation.json.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GROUPS } from '../stryker/groups.mjs';

const THRESHOLD = 90;

/** The modules of issue 22, each judged on its own; the first whose test matches a file takes it. */
const MODULES = [
  { name: 'proof parsing (challenge/proof.ts)', test: (f) => f === 'src/core/challenge/proof.ts' },
  { name: 'account throttle (challenge/throttle.ts)', test: (f) => f === 'src/core/challenge/throttle.ts' },
  { name: 'challenge module (core/challenge/*)', test: (f) => f.startsWith('src/core/challenge/') },
  { name: 'email codes (factors/email-codes.ts)', test: (f) => f === 'src/core/factors/email-codes.ts' },
  { name: 'backup codes (factors/backup-codes.ts)', test: (f) => f === 'src/core/factors/backup-codes.ts' },
  { name: 'authenticator steps (factors/totp.ts)', test: (f) => f === 'src/core/factors/totp.ts' },
  { name: 'otp/*', test: (f) => f.startsWith('src/core/otp/') },
  { name: 'rate limits (limits/rate-limit.ts)', test: (f) => f === 'src/core/limits/rate-limit.ts' },
];

const groups = process.env.MUTATION_GROUP ? process.env.MUTATION_GROUP.split(',') : Object.keys(GROUPS);
// `--report-only`: judge the reports the last runs left, without running Stryker.
const reportOnly = process.argv.includes('--report-only');
const started = Date.now();
for (const group of reportOnly ? [] : groups) {
  if (!GROUPS[group]) throw new Error(`unknown mutation group ${group}: ${Object.keys(GROUPS).join(', ')}`);
  const run = spawnSync('npx', ['stryker', 'run', 'stryker/core.conf.mjs', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, MUTATION_GROUP: group },
  });
  if (run.status !== 0) {
    console.error(`stryker failed on group ${group} (exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
}
const minutes = ((Date.now() - started) / 60_000).toFixed(1);

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const rows = MODULES.map((module) => ({ ...module, files: 0, detected: 0, undetected: 0 }));
for (const group of groups) {
  const report = JSON.parse(readFileSync(`.tmp/mutation/${group}/mutation.json`, 'utf8'));
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const relative = path.relative(process.cwd(), path.resolve(file)).split(path.sep).join('/');
    const row = rows.find((r) => r.test(relative));
    if (!row) continue;
    row.files += 1;
    for (const { status } of mutants) {
      if (DETECTED.has(status)) row.detected += 1;
      else if (UNDETECTED.has(status)) row.undetected += 1;
    }
  }
}

const failing = [];
console.log(`\nmutation score per module (groups ${groups.join(', ')}; threshold ${THRESHOLD} %; ${minutes} min):`);
console.log('| module | killed | survived | score |');
console.log('|---|---|---|---|');
for (const row of rows) {
  const total = row.detected + row.undetected;
  if (row.files === 0) continue;
  const score = total === 0 ? null : (100 * row.detected) / total;
  const shown = score === null ? 'no mutants (types only)' : `${score.toFixed(1)} %`;
  console.log(`| ${row.name} | ${row.detected} | ${row.undetected} | ${shown} |`);
  if (score !== null && score < THRESHOLD) failing.push(row.name);
}
if (failing.length > 0) {
  console.error(`\nunder ${THRESHOLD} %: ${failing.join(', ')} — see .tmp/mutation/<group>/index.html for the surviving mutants`);
  process.exit(1);
}
console.log(`\nevery module is at ${THRESHOLD} % or more (reports: .tmp/mutation/<group>/index.html)`);
