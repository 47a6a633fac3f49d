import { mkdirSync, writeFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { adminUrl, createScratchDatabase, throughPooler } from './pg-admin.ts';
import { createPgDb } from '../../src/store/pg-driver.ts';
import { createAuditChainStore } from '../../src/store/audit-chain-store.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string | undefined;
  }
}

/**
 * After the whole suite's traffic the tamper-evident audit log still verifies (issue 18): every chain and head,
 * across every test and server instance that wrote to the shared database. A break fails the run.
 */
export const AUDIT_CHAIN_REPORT = '.tmp/audit-chain-after-suite.json';

async function auditChainHolds(url: string): Promise<void> {
  const db = createPgDb({ connectionString: url, poolSize: 1 });
  try {
    const result = await createAuditChainStore(db).verify(null);
    // Vitest does not fail a run for an error at teardown: scripts/test.js reads this file and counts a break as a failure.
    mkdirSync('.tmp', { recursive: true });
    writeFileSync(AUDIT_CHAIN_REPORT, JSON.stringify(result));
    const { breaks, events, chains } = result;
    console.log(breaks.length === 0 ? `audit chain after the suite: ${events} events in ${chains} chains, every link holds` : `AUDIT CHAIN BROKEN after the suite: ${JSON.stringify(breaks.slice(0, 5))}`);
  } finally {
    await db.close();
  }
}

/**
 * In the PostgreSQL pass, the whole run gets one fresh database, dropped at the end; in the PgBouncer pass
 * the tests and their servers reach it through the pooler.
 */
export default async function setup(project: TestProject) {
  const admin = adminUrl();
  if (!admin) {
    project.provide('databaseUrl', undefined);
    return;
  }
  const scratch = await createScratchDatabase(admin, 'suite');
  project.provide('databaseUrl', throughPooler(scratch.url));
  return async () => {
    try {
      await auditChainHolds(scratch.url);
    } finally {
      await scratch.drop();
    }
  };
}
