import { defineConfig } from 'vitest/config';

// The tests Stryker runs against each mutant: the core's own, with no database, server or process (a
// mutant's run must take milliseconds). `npm run test:mutation` (scripts/mutation.js, stryker/core.conf.mjs) uses it.
export default defineConfig({
  test: {
    include: ['src/core/**/*.test.ts', 'test/core/**/*.test.ts'],
    // Mutants are switched on at run time (Stryker's mutation switching), so modules may stay loaded between runs.
    isolate: false,
    testTimeout: 30_000,
    env: { NODE_ENV: 'test', TWOFOLD_MUTATION_RUN: '1' },
  },
});
