// `twofold admin token …`: the operator makes, lists and revokes admin API tokens from the command line. The
// secret is printed once; the list never shows it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../helpers/process.ts';
import { TEST_KEYS } from '../helpers/server.ts';

let env: Record<string, string>;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'twofold-admin-cli-'));
  env = { DATA_DIR: dir, DATABASE_URL: inject('databaseUrl') ?? `file://${join(dir, 'pgdata')}`, TWOFOLD_SECRET_KEYS: TEST_KEYS, NODE_ENV: 'test' };
});

describe('twofold admin token', () => {
  it('creates a scoped token shown once, lists it without the secret, and revokes it', { timeout: 400_000 }, async () => {
    const created = await runCli(['admin', 'token', 'create', '--name', 'helpdesk', '--scope', 'users:read,users:write', '--ttl', '90d', '--json'], env);
    expect(created.stderr).toBe('');
    const token = JSON.parse(created.stdout);
    expect(token).toMatchObject({ name: 'helpdesk', scopes: ['users:read', 'users:write'], token: expect.stringMatching(/^tfadm_/) });
    const listed = await runCli(['admin', 'token', 'list', '--json'], env);
    expect(listed.stdout).not.toContain(token.token);
    expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ id: token.id, revokedAt: null }));
    expect((await runCli(['admin', 'token', 'revoke', token.id, '--json'], env)).stderr).toBe('');
    const after = JSON.parse((await runCli(['admin', 'token', 'list', '--json'], env)).stdout);
    expect(after.find((t: { id: string }) => t.id === token.id).revokedAt).not.toBeNull();
  });

  it('refuses an unknown scope', { timeout: 200_000 }, async () => {
    const result = await runCli(['admin', 'token', 'create', '--name', 'x', '--scope', 'everything'], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/validation_failed/);
  });
});

describe('twofold import totp / export totp', () => {
  it('a dry run reports what it would import and why it skips; an export without the flag is refused', { timeout: 400_000 }, async () => {
    const file = join(env.DATA_DIR!, 'old-idp.txt');
    await writeFile(file, `otpauth://totp/Old:nobody@example.test?secret=${'JBSWY3DPEHPK3PXP'.repeat(2)}\n`);
    const dry = await runCli(['import', 'totp', '--format', 'otpauth', file, '--dry-run', '--json'], env);
    expect(JSON.parse(dry.stdout)).toEqual({ imported: [], skipped: [{ where: 'line 1', reason: 'no user nobody@example.test' }], dryRun: true });
    const refused = await runCli(['export', 'totp', '--format', 'csv'], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--i-understand-this-exports-secrets/);
  });
});
