import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from './helpers/process.ts';
import { TEST_KEYS } from './helpers/server.ts';

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

  it('reports an unknown user and bad configuration with a non-zero exit', async () => {
    const missing = await runCli(['user', 'show', 'nobody@example.test'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/user_not_found/);

    const bad = await runCli(['migrate'], { ...env, PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^twofold: config: PORT/), expect.stringMatching(/^twofold: config: LOG_LEVEL/)]);
  });
});
