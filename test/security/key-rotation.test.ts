// Key rotation (security.md "key ring", OWASP ASVS 6.2.4 / 6.4.1): secrets at rest move to a new key
// online — servers keep decrypting with old and new keys meanwhile — and an old key can be retired only when
// nothing depends on it any more. A rerun after an interruption finds the work done.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRing, generateKeySpec, parseKeySpecs } from '../../src/core/crypto/keyring.ts';
import { openWebhookSecret } from '../../src/core/admin/webhooks.ts';
import { reencryptSecrets, retirementBlockers } from '../../src/core/keys/rotation.ts';
import { createKeyRotationStore } from '../../src/store/key-rotation-store.ts';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.ts';
import { testDb } from '../helpers/db.ts';
import { enrolledUser, startLogin, verify } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { runCli } from '../helpers/process.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('rotating the key ring', () => {
  it('re-encrypts every secret under the new key; sign-in works on a server with the new ring', async () => {
    const { email, password, secret } = await enrolledUser(t, 'rotate');
    // A webhook's signing secret is sealed too: rotation moves it with the TOTP keys, bound to its endpoint.
    const hook = await t.server.core.admin.webhooks.create({ url: 'http://127.0.0.1:9/rotation', kinds: ['lockout'] }, { client: 'cli' });
    const db = await testDb();
    const store = createKeyRotationStore(db);
    const newKey = generateKeySpec('rot2');
    const rotated = createKeyRing(parseKeySpecs(`${newKey},${TEST_KEYS}`));
    const back = createKeyRing(parseKeySpecs(`${TEST_KEYS},${newKey}`));
    try {
      const first = await reencryptSecrets(store, rotated);
      expect(first.reencrypted).toBeGreaterThan(0);
      // Interrupted or not, a rerun finds nothing left to do.
      expect((await reencryptSecrets(store, rotated)).reencrypted).toBe(0);
      const usage = await store.usage(new Date());
      expect(usage.find((u) => u.keyId === 'test1')?.secrets ?? 0).toBe(0);
      const [endpoint] = await db.query<{ secret_sealed: string }>('SELECT secret_sealed FROM webhook_endpoints WHERE id = $1', [hook.endpoint.id]);
      expect(rotated.keyIdOf(endpoint!.secret_sealed)).toBe('rot2');
      expect(openWebhookSecret(rotated, hook.endpoint.id, endpoint!.secret_sealed)).toBe(hook.secret);
      // Backup codes are one-way hashes peppered by their key: they hold the old key in the ring.
      expect(retirementBlockers(usage, 'test1').join()).toMatch(/backup codes/);

      const rotatedServer = await startTestServer({ TWOFOLD_SECRET_KEYS: `${newKey},${TEST_KEYS}` });
      try {
        rotatedServer.clock.advance(60_000);
        const transactionId = await startLogin(rotatedServer, email, password);
        expect((await verify(rotatedServer, transactionId, authenticatorCode(secret, rotatedServer.clock))).status).toBe(201);
      } finally {
        await rotatedServer.close();
      }
    } finally {
      // Give the shared test database back to the suite's key.
      await reencryptSecrets(store, back);
      await t.server.core.admin.webhooks.remove(hook.endpoint.id, { client: 'cli' });
    }
  });

  it('re-encrypts a new authenticator the veto window holds, which then takes effect under the new key', { timeout: 60_000 }, async () => {
    const newKey = generateKeySpec('rot3');
    const rotated = createKeyRing(parseKeySpecs(`${newKey},${TEST_KEYS}`));
    const back = createKeyRing(parseKeySpecs(`${TEST_KEYS},${newKey}`));
    // The suite's key active, the new one known: what a fleet runs while `keys rotate` is under way.
    const held = await startTestServer({ TWOFOLD_SECRET_KEYS: `${TEST_KEYS},${newKey}`, FACTOR_CHANGE_VETO_SECONDS: '3600' });
    const db = await testDb();
    const store = createKeyRotationStore(db);
    try {
      const user = await enrolledUser(held, 'rotate-held');
      const { secret: newSecret } = (await held.request('POST', '/v1/me/totp', { token: user.token })).body;
      held.clock.advance(30_000);
      const confirmed = await held.request('POST', '/v1/me/totp/confirm', { token: user.token, body: { code: authenticatorCode(newSecret, held.clock) } });
      expect(confirmed.body.pendingUntil).toEqual(expect.any(String));
      const sealedOf = async () =>
        (await db.query<{ sealed: string }>(`SELECT payload->>'secretSealed' AS sealed FROM factor_changes WHERE user_id = $1 AND status = 'pending'`, [user.userId]))[0]!.sealed;
      expect(rotated.keyIdOf(await sealedOf())).toBe('test1');

      await reencryptSecrets(store, rotated);
      expect(rotated.keyIdOf(await sealedOf())).toBe('rot3');
      expect((await store.usage(new Date())).find((u) => u.keyId === 'test1')?.secrets ?? 0).toBe(0);

      held.clock.advance(3600_000);
      expect(await held.server.factorChanges.applyDue()).toBeGreaterThanOrEqual(1);
      const [settled] = await db.query<{ payload: Record<string, unknown> }>(`SELECT payload FROM factor_changes WHERE user_id = $1 AND kind = 'totp-replace'`, [user.userId]);
      expect(settled!.payload, 'a settled change keeps no secret').not.toHaveProperty('secretSealed');
      held.clock.advance(30_000);
      const transactionId = await startLogin(held, user.email, user.password);
      expect((await verify(held, transactionId, authenticatorCode(newSecret, held.clock))).status, 'the new authenticator, opened with the new key').toBe(201);
    } finally {
      await reencryptSecrets(store, back);
      await held.close();
    }
  });

  it('with the embedded default, `twofold keys rotate` adds a key and retires the old one when it is free', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twofold-keys-'));
    const env = { DATA_DIR: dir, DATABASE_URL: `file://${join(dir, 'pgdata')}`, TWOFOLD_SECRET_KEYS: '', NODE_ENV: 'test' };
    expect((await runCli(['user', 'create', '--email', `keys.${Date.now()}@example.test`, '--password', 'rotate my keys'], env)).code).toBe(0);
    const rotated = await runCli(['keys', 'rotate', '--retire', 'k1', '--json'], env);
    expect(rotated.code).toBe(0);
    const result = JSON.parse(rotated.stdout) as { activeKeyId: string; retired: string | null };
    expect(result.activeKeyId).not.toBe('k1');
    expect(result.retired).toBe('k1');
    const listed = JSON.parse((await runCli(['keys', 'list', '--json'], env)).stdout) as Array<{ keyId: string; active: boolean }>;
    expect(listed.map((k) => k.keyId)).toEqual([result.activeKeyId]);
    const events = JSON.parse((await runCli(['events', '--kind', 'key_rotated', '--json'], env)).stdout) as unknown[];
    expect(events).toHaveLength(1);
    // Four CLI processes, each opening the embedded database: slow on a busy 2-core machine.
  }, 90_000);
});
