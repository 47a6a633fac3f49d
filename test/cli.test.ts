import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { runCli } from './helpers/process.ts';
import { TEST_KEYS } from './helpers/server.ts';
import { EXPIRING } from '../src/store/purge.ts';

let env: Record<string, string>;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'twofold-cli-'));
  env = { DATA_DIR: dir, DATABASE_URL: inject('databaseUrl') ?? `file://${join(dir, 'pgdata')}`, TWOFOLD_SECRET_KEYS: TEST_KEYS, NODE_ENV: 'test' };
});

describe('the twofold command', () => {
  it('creates, verifies, disables and lists users, with --json for scripts', { timeout: 90_000 }, async () => {
    const email = `cli.${Date.now()}@example.test`;
    const created = await runCli(['user', 'create', '--email', email, '--password', 'from the command line', '--verified', '--json'], env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ email, emailVerified: true, disabled: false });

    const disabled = await runCli(['user', 'disable', email, '--json'], env);
    expect(JSON.parse(disabled.stdout)).toMatchObject({ email, disabled: true });

    const listed = await runCli(['user', 'list', '--json', '--limit', '1000'], env);
    expect((JSON.parse(listed.stdout) as Array<{ email: string }>).map((u) => u.email)).toContain(email);
  });

  it('doctor checks database, schema, keys, mail and clock', { timeout: 60_000 }, async () => {
    const result = await runCli(['doctor', '--json'], env);
    const checks = JSON.parse(result.stdout) as Array<{ check: string; status: string }>;
    expect(checks.map((c) => c.check)).toEqual(['config', 'database', 'schema', 'clock', 'keys', 'mail']);
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('resets a user’s second factors and unlocks them', { timeout: 90_000 }, async () => {
    const email = `reset.${Date.now()}@example.test`;
    await runCli(['user', 'create', '--email', email, '--password', 'lost my phone'], env);
    const reset = await runCli(['user', 'reset-2fa', email, '--json'], env);
    expect(reset.code).toBe(0);
    expect(JSON.parse(reset.stdout)).toHaveProperty('reset');
    expect((await runCli(['user', 'unlock', email], env)).code).toBe(0);
  });

  it('purge --dry-run --json counts expired rows per table and deletes nothing; purge deletes them', { timeout: 60_000 }, async () => {
    const dry = await runCli(['purge', '--dry-run', '--json'], env);
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout) as { dryRun: boolean; rows: Record<string, number>; total: number };
    expect(report.dryRun).toBe(true);
    expect(Object.keys(report.rows)).toEqual(EXPIRING.map((t) => t.table));
    expect(report.total).toBe(Object.values(report.rows).reduce((a, b) => a + b, 0));

    const done = await runCli(['purge', '--json'], env);
    expect(done.code).toBe(0);
    const purged = JSON.parse(done.stdout) as typeof report;
    expect(purged.dryRun).toBe(false);
    // At least what the dry run counted (a row may have passed its grace in between).
    expect(purged.total).toBeGreaterThanOrEqual(report.total);
  });

  it('reports an unknown user and bad configuration with a non-zero exit', async () => {
    const missing = await runCli(['user', 'show', 'nobody@example.test'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/user_not_found/);

    const bad = await runCli(['migrate'], { ...env, PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^twofold: config: PORT/), expect.stringMatching(/^twofold: config: LOG_LEVEL/)]);
  });
});

describe('twofold audit', () => {
  it('verifies the chains, prints a signed head and exports JSON lines; a tampered event exits 1, named', { timeout: 120_000 }, async () => {
    const email = `audit.${Date.now()}@example.test`;
    await runCli(['user', 'create', '--email', email, '--password', 'an audited password'], env);
    await runCli(['user', 'reset-2fa', email], env);
    const ok = await runCli(['audit', 'verify', '--json'], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, breaks: [] });
    const head = JSON.parse((await runCli(['audit', 'head', '--json'], env)).stdout);
    expect(head).toMatchObject({ digest: expect.stringMatching(/^[0-9a-f]{64}$/), signature: expect.any(String), publicKey: expect.any(String) });
    const lines = (await runCli(['audit', 'export'], env)).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatchObject({ chain: expect.any(String), seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const url = inject('databaseUrl');
    if (!url) return; // Tampering needs a second connection to the database: the PostgreSQL pass does it.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const user = JSON.parse((await runCli(['user', 'show', email, '--json'], env)).stdout) as { id: string };
      const [event] = (await db.query('SELECT id FROM security_events WHERE chain = $1 ORDER BY seq LIMIT 1', [user.id])).rows;
      await db.query('ALTER TABLE security_events DISABLE TRIGGER security_events_no_update');
      await db.query(`UPDATE security_events SET ip = '203.0.113.9' WHERE id = $1`, [event.id]);
      const broken = await runCli(['audit', 'verify', '--user', email], env);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(event.id);
      expect(broken.stdout).toMatch(/edited/);
      // Leave the shared database's log whole for the rest of the suite.
      await db.query('DELETE FROM security_events WHERE chain = $1', [user.id]);
      await db.query('DELETE FROM audit_chain_heads WHERE chain = $1', [user.id]);
    } finally {
      await db.query('ALTER TABLE security_events ENABLE TRIGGER security_events_no_update').catch(() => undefined);
      await db.end();
    }
  });
});
