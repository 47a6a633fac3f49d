import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { adminUrl, createScratchDatabase, throughPooler } from '../helpers/pg-admin.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';

const KEYS = 'k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

describe('several instances on one PostgreSQL database', () => {
  it('start at the same moment on an empty database: both come up, the schema is applied once', async () => {
    const scratch = await createScratchDatabase(adminUrl()!, 'start');
    cleanup.push(scratch.drop);
    const env = { DATABASE_URL: throughPooler(scratch.url), TWOFOLD_SECRET_KEYS: KEYS };
    const servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    servers.forEach((s: ServerProcess) => cleanup.push(() => s.stop()));

    for (const server of servers) {
      expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready' });
    }
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version');
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      await client.end();
    }

    // One instance registers, the other signs the user in: they are one server.
    const email = `both.${Date.now()}@example.test`;
    const reg = await fetch(`${servers[0]!.url}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'shared database' }),
    });
    expect(reg.status).toBe(201);
    const login = await fetch(`${servers[1]!.url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: email, password: 'shared database' }),
    });
    expect(login.status).toBe(201);
  });

  it('refuses to start on PostgreSQL without a key ring, with one clear line', async () => {
    const { runCli } = await import('../helpers/process.ts');
    const result = await runCli(['serve'], { DATABASE_URL: adminUrl()!, TWOFOLD_SECRET_KEYS: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/config: TWOFOLD_SECRET_KEYS is required/);
  });
});
