#!/usr/bin/env node
// `npm run test:mutation`: StrykerJS over the security core (stryker/core.conf.json), then the score of each
// module group from its JSON report, failing when any group is under its threshold (Stryker itself can only
// break on the total). Extra arguments go to Stryker, e.g. `npm run test:mutation -- --mutate src/core/otp/hotp.ts`
// while working on one module, or `--incremental false` for a run from scratch.
// Reports: .tmp/mutation/index.html (open it in a browser) and .tmp/mutation/mutation.json.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const REPORT = '.tmp/mutation/mutation.json';
const THRESHOLD = 90;

/** The module groups of issue 22, each judged on its own; the first group whose test matches a file takes it. */
const GROUPS = [
  { name: 'proof parsing (challenge/proof.ts)', test: (f) => f === 'src/core/challenge/proof.ts' },
  { name: 'account throttle (challenge/throttle.ts)', test: (f) => f === 'src/core/challenge/throttle.ts' },
  { name: 'challenge module (core/challenge/*)', test: (f) => f.startsWith('src/core/challenge/') },
  { name: 'email codes (factors/email-codes.ts)', test: (f) => f === 'src/core/factors/email-codes.ts' },
  { name: 'backup codes (factors/backup-codes.ts)', test: (f) => f === 'src/core/factors/backup-codes.ts' },
  { name: 'authenticator steps (factors/totp.ts)', test: (f) => f === 'src/core/factors/totp.ts' },
  { name: 'otp/*', test: (f) => f.startsWith('src/core/otp/') },
  { name: 'rate limits (limits/rate-limit.ts)', test: (f) => f === 'src/core/limits/rate-limit.ts' },
];

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const started = Date.now();
const stryker = spawnSync('npx', ['stryker', 'run', 'stryker/core.conf.json', ...process.argv.slice(2)], { stdio: 'inherit' });
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
if (stryker.status !== 0) {
  console.error(`stryker failed (exit ${stryker.status ?? stryker.signal}) after ${minutes} min`);
  process.exit(1);
}

const report = JSON.parse(readFileSync(REPORT, 'utf8'));
const rows = GROUPS.map((group) => ({ ...group, files: 0, detected: 0, undetected: 0 }));
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

const failing = [];
console.log(`\nmutation score per module group (threshold ${THRESHOLD} %, ${minutes} min):`);
console.log('| module group | killed | survived | score |');
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
  console.error(`\nunder ${THRESHOLD} %: ${failing.join(', ')} — see .tmp/mutation/index.html for the surviving mutants`);
  process.exit(1);
}
console.log(`\nevery module group is at ${THRESHOLD} % or more (report: .tmp/mutation/index.html)`);
