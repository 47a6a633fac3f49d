import { defineConfig } from 'vitest/config';

// One worker, no isolation between files: the suite shares one embedded PostgreSQL (PGlite costs
// seconds and most of a gigabyte to create) or one PostgreSQL test database.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests of several processes sharing one PostgreSQL server exist only in the PostgreSQL pass; those of
    // PgBouncer itself only in the pass behind it (scripts/test.js).
    exclude: [
      '**/node_modules/**',
      ...(process.env.TEST_DATABASE_URL ? [] : ['test/pg/**', '**/*.pg.test.ts']),
      ...(process.env.TEST_PGBOUNCER_URL ? [] : ['**/*.pgbouncer.test.ts']),
    ],
    pool: 'forks',
    isolate: false,
    fileParallelism: false,
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
});
