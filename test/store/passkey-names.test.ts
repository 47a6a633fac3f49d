// Migration 0021 makes a user's passkey names unique (letter case aside) with an index. Names that collided
// before it (two registrations that raced past the old check) must not stop the migration, nor lose a key:
// the oldest keeps its name, the others get a number, and no number clashes with a name already there.
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/store/migrate.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';

beforeAll(() => testDb(), 180_000);

class RolledBack extends Error {}

describe('migration 0021 (passkey names unique per user)', () => {
  it('numbers the names that already collide, oldest first, past numbers already taken, and keeps every key', async () => {
    const db = await testDb();
    const migration = (await loadMigrations()).find((m) => m.version === 21)!;
    const user = randomUUID();
    const other = randomUUID();
    const names = await db
      .transaction(async (tx) => {
        // The schema as it was before 0021, in this transaction only (rolled back below).
        await tx.exec('DROP INDEX webauthn_credentials_user_name_key');
        for (const id of [user, other]) {
          const email = uniqueEmail('names');
          await tx.query('INSERT INTO users (id, email, email_normalized, password_hash, created_at, updated_at) VALUES ($1, $2, $2, $3, now(), now())', [id, email, 'x']);
        }
        const keys: Array<[string, string, number]> = [
          [user, 'Laptop', 1],
          [user, 'laptop', 2],
          [user, 'Laptop (2)', 3],
          [user, 'LAPTOP', 4],
          [user, 'Phone', 5],
          [other, 'Laptop', 6],
        ];
        for (const [userId, name, minute] of keys) {
          await tx.query(
            `INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, counter, transports, device_type, backed_up, name, created_at)
             VALUES ($1, $2, $3, $4, 0, '{}', 'multiDevice', true, $5, timestamptz '2026-01-01T00:00:00Z' + make_interval(mins => $6))`,
            [randomUUID(), userId, randomBytes(16).toString('base64url'), Buffer.from([1]), name, minute],
          );
        }
        await tx.exec(migration.sql);
        const rows = await tx.query<{ user_id: string; name: string }>(
          'SELECT user_id, name FROM webauthn_credentials WHERE user_id = ANY($1) ORDER BY created_at',
          [[user, other]],
        );
        // The index is in place again: a name of the same letters is refused.
        await expect(
          tx.query(
            `INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, counter, transports, device_type, backed_up, name, created_at)
             VALUES ($1, $2, $3, $4, 0, '{}', 'multiDevice', true, 'PHONE', now())`,
            [randomUUID(), user, randomBytes(16).toString('base64url'), Buffer.from([1])],
          ),
        ).rejects.toMatchObject({ code: '23505' });
        throw new RolledBack(JSON.stringify(rows.map((r) => [r.user_id === user ? 'user' : 'other', r.name])));
      })
      .catch((error: unknown) => {
        if (error instanceof RolledBack) return JSON.parse(error.message) as Array<[string, string]>;
        throw error;
      });
    expect(names).toEqual([
      ['user', 'Laptop'],
      ['user', 'laptop (3)'],
      ['user', 'Laptop (2)'],
      ['user', 'LAPTOP (4)'],
      ['user', 'Phone'],
      ['other', 'Laptop'],
    ]);
  });
});
