// StrykerJS over the security core (issue 22), one module group per run: `npm run test:mutation` (scripts/mutation.js)
// runs every group, or those named in MUTATION_GROUP (comma-separated). Each group keeps its own report
// (.tmp/mutation/<group>/index.html and mutation.json) and its own incremental file, committed, so a run (CI's too)
// tests again only the mutants of code or tests changed since the last full run of that group.

import { GROUPS } from './groups.mjs';

const group = process.env.MUTATION_GROUP ?? 'challenge';
if (!GROUPS[group]) throw new Error(`MUTATION_GROUP must be one of ${Object.keys(GROUPS).join(', ')}`);

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'stryker/vitest.config.ts', related: false },
  // TypeScript 7 has no JS API: no type-checking plugin, and no tsconfig.json parsing (Stryker would only rewrite
  // paths that leave the sandbox; ours do not), so tsconfigFile names nothing.
  checkers: [],
  tsconfigFile: 'stryker/no-tsconfig.json',
  coverageAnalysis: 'perTest',
  // Load-time mutants (constants, tables) would need a fresh module per mutant; the tests hold those tables directly.
  ignoreStatic: true,
  concurrency: 2,
  // Generous: a timeout costs a fresh test runner, and a loaded machine makes honest runs slow.
  timeoutMS: 10000,
  mutate: [...GROUPS[group], '!src/**/*.test.ts'],
  ignorePatterns: ['/*', '!/src', '!/test', '!/stryker', '!/package.json', '!/tsconfig.json'],
  incremental: true,
  incrementalFile: `stryker/incremental/${group}.json`,
  tempDirName: `.tmp/stryker-tmp/${group}`,
  cleanTempDir: 'always',
  reporters: ['html', 'json', 'clear-text', 'progress-append-only'],
  htmlReporter: { fileName: `.tmp/mutation/${group}/index.html` },
  jsonReporter: { fileName: `.tmp/mutation/${group}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 95, low: 90, break: null },
};
