// StrykerJS over the security core (issue 22), one module group per run: `npm run test:mutation` (scripts/mutation.js)
// runs every group, or those named in MUTATION_GROUP (comma-separated). Each group keeps its own report
// (.tmp/mutation/<group>/index.html and mutation.json) and its own incremental file, committed, so a run (CI's too)
// tests again only the mutants of code or tests changed since the last full run of that group.

/** The groups: what each mutates. scripts/mutation.js judges each module of a group against the threshold. */
export const GROUPS = {
  // retry.ts (the tokens a repeated sign-in derives again) is left out: its loops' mutants hang until a timeout and
  // a fresh test runner each; the sign-in tests' repeated requests hold it. store.ts is types only.
  // The challenge module in two runs (they can run side by side): the answer path, and the rest.
  answer: ['src/core/challenge/answer.ts', 'src/core/challenge/verify.ts', 'src/core/challenge/sign-in.ts'],
  challenge: [
    'src/core/challenge/*.ts',
    '!src/core/challenge/{answer,verify,sign-in,proof,retry,store}.ts',
  ],
  codes: [
    'src/core/challenge/proof.ts',
    'src/core/factors/email-codes.ts',
    'src/core/factors/backup-codes.ts',
    'src/core/factors/totp.ts',
    'src/core/limits/rate-limit.ts',
  ],
  otp: ['src/core/otp/*.ts'],
};

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
