import type { TestProject } from 'vitest/node';
import { adminUrl, createScratchDatabase } from './pg-admin.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string | undefined;
  }
}

/** In the PostgreSQL pass, the whole run gets one fresh database, dropped at the end. */
export default async function setup(project: TestProject) {
  const admin = adminUrl();
  if (!admin) {
    project.provide('databaseUrl', undefined);
    return;
  }
  const scratch = await createScratchDatabase(admin, 'suite');
  project.provide('databaseUrl', scratch.url);
  return () => scratch.drop();
}
