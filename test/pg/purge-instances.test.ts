// Several instances purging one PostgreSQL database: they take turns (an advisory lock), and even without the
// lock, two purges at once delete each expired row once (FOR UPDATE SKIP LOCKED), wait neither on each other nor
// on rows a sign-in holds, and hold up no sign-in.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPgDb } from '../../src/store/pg-driver.ts';
import { PURGE_LOCK_KEY, purgeExpired } from '../../src/store/purge.ts';
import type { Db } from '../../src/store/index.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { rowExists, SEED_EXPIRING, seedUser } from '../helpers/expiring-rows.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const LONG_AGO = () => new Date(Date.now() - 3 * 3_600_000);
let first: Db;
let second: Db;
let raw: pg.Client;
beforeAll(async () => {
  await testDb(); // migrated
  const url = inject('databaseUrl')!;
  first = createPgDb({ connectionString: url, poolSize: 3 });
  second = createPgDb({ connectionString: url, poolSize: 3 });
  raw = new pg.Client({ connectionString: url });
  await raw.connect();
});
afterAll(async () => {
  await raw.end();
  await Promise.all([first.close(), second.close()]);
});

/** Many expired sessions of one user, written in bulk. */
async function expiredSessions(count: number): Promise<string> {
  const userId = await seedUser(first);
  await first.query(
    `INSERT INTO sessions (id, user_id, token_hash, client, created_at, last_seen_at, password_at, expires_at)
     SELECT gen_random_uuid(), $1::uuid, sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'rest', $2, $2, $2, $2 FROM generate_series(1, $3) AS g`,
    [userId, LONG_AGO(), count],
  );
  return userId;
}

const expiredNow = async () => Number((await first.query<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE expires_at < now() - interval '1 hour'`))[0]!.n);

describe('two purges at once', () => {
  it('delete each expired row once: the counts add up to what had expired, and nothing is left', async () => {
    await expiredSessions(3000);
    await second.query('SELECT 1'); // both pools connected, so the two purges overlap
    const before = await expiredNow();
    const [a, b] = await Promise.all([purgeExpired(first, { now: new Date(), batchRows: 100 }), purgeExpired(second, { now: new Date(), batchRows: 100 })]);
    expect(a.sessions! + b.sessions!).toBe(before);
    expect(await expiredNow()).toBe(0);
  });

  it('skip rows another transaction holds instead of waiting for them, and block no sign-in meanwhile', async () => {
    const userId = await seedUser(first);
    const held = await SEED_EXPIRING.login_transactions!(first, userId, LONG_AGO());
    const free = await SEED_EXPIRING.login_transactions!(first, userId, LONG_AGO());
    await raw.query('BEGIN');
    try {
      // A sign-in in the middle of consuming this (expired) transaction holds its row.
      await raw.query('SELECT 1 FROM login_transactions WHERE id_hash = $1 FOR UPDATE', [held]);
      const counts = await withTimeout(purgeExpired(first, { now: new Date() }), 5_000);
      expect(counts.login_transactions).toBeGreaterThanOrEqual(1);
      expect(await rowExists(first, 'login_transactions', free)).toBe(false);
      expect(await rowExists(first, 'login_transactions', held)).toBe(true);
    } finally {
      await raw.query('ROLLBACK');
    }

    // The other way round: a purge's batch is in flight (uncommitted, its rows locked) while users sign in.
    await expiredSessions(50);
    const t: TestServer = await startTestServer();
    try {
      await raw.query('BEGIN');
      await raw.query(`DELETE FROM sessions WHERE expires_at < now() - interval '1 hour'`);
      const email = uniqueEmail('purge-signin');
      expect((await withTimeout(t.request('POST', '/v1/users', { body: { email, password: 'not held up' } }), 5_000)).status).toBe(201);
      const signIn = await withTimeout(t.request('POST', '/v1/sessions', { body: { login: email, password: 'not held up' } }), 5_000);
      expect(signIn.status).toBe(201);
      expect((await withTimeout(t.request('GET', '/v1/me', { token: signIn.body.token }), 5_000)).status).toBe(200);
    } finally {
      await raw.query('ROLLBACK');
      await t.close();
    }
  });
});

describe('instances take turns', () => {
  it('the periodic purge skips its turn while another instance purges; the command waits for its turn', async () => {
    await expiredSessions(10);
    await raw.query('SELECT pg_advisory_lock($1)', [PURGE_LOCK_KEY]);
    let waited = false;
    const command = purgeExpired(second, { now: new Date(), lock: 'wait' }).then((counts) => {
      waited = true;
      return counts;
    });
    try {
      expect(await purgeExpired(first, { now: new Date(), lock: 'try' })).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(waited).toBe(false);
    } finally {
      await raw.query('SELECT pg_advisory_unlock($1)', [PURGE_LOCK_KEY]);
    }
    expect((await command).sessions).toBeGreaterThanOrEqual(10);
    expect(await purgeExpired(first, { now: new Date(), lock: 'try' })).not.toBeNull();
  });
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`blocked for more than ${ms} ms`)), ms).unref())]);
}
