// The purge of expired rows: sessions, login transactions, email codes, trusted devices, WebAuthn challenges, QR
// links, email-verification links, rate-limit windows and settled factor changes past their expiry plus an hour's grace are deleted, by the
// server every PURGE_INTERVAL_SECONDS and by `twofold purge`; live rows and the audit log are left alone.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPIRING, PURGE_GRACE_SECONDS, purgeExpired } from '../../src/store/purge.ts';
import type { Db } from '../../src/store/index.ts';
import { createAuditChainStore } from '../../src/store/audit-chain-store.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { factorChange, rowExists, SEED_EXPIRING, seedUser } from '../helpers/expiring-rows.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const HOUR = 3_600_000;
let db: Db;
beforeAll(async () => {
  db = await testDb();
});

describe('purgeExpired', () => {
  it('knows how to seed every expiring table (a table added to EXPIRING needs a line in test/helpers/expiring-rows.ts)', () => {
    expect(Object.keys(SEED_EXPIRING).sort()).toEqual(EXPIRING.map((t) => t.table).sort());
  });

  it('deletes rows past expiry plus the grace in every table, keeps rows within the grace and live rows', async () => {
    const now = new Date();
    const userId = await seedUser(db);
    const seeded: Array<{ table: string; state: 'expired' | 'in grace' | 'live'; key: unknown }> = [];
    for (const [table, seed] of Object.entries(SEED_EXPIRING)) {
      seeded.push({ table, state: 'expired', key: await seed(db, userId, new Date(now.getTime() - PURGE_GRACE_SECONDS * 1000 - 60_000)) });
      seeded.push({ table, state: 'in grace', key: await seed(db, userId, new Date(now.getTime() - 60_000)) });
      seeded.push({ table, state: 'live', key: await seed(db, userId, new Date(now.getTime() + HOUR)) });
    }

    const dry = await purgeExpired(db, { now, dryRun: true });
    for (const { table } of EXPIRING) expect(dry[table], table).toBeGreaterThanOrEqual(1);
    for (const row of seeded) expect(await rowExists(db, row.table, row.key), `${row.table}: dry run deletes nothing`).toBe(true);

    const counts = await purgeExpired(db, { now, batchRows: 2 });
    for (const { table } of EXPIRING) expect(counts[table], table).toBeGreaterThanOrEqual(1);
    expect(counts).not.toHaveProperty('security_events');
    for (const row of seeded) expect(await rowExists(db, row.table, row.key), `${row.table} (${row.state})`).toBe(row.state !== 'expired');
  });

  it('deletes a settled factor change once its veto link is past (plus the grace), never a pending one', async () => {
    const now = new Date();
    const long = new Date(now.getTime() - 30 * 24 * HOUR);
    // A pending change is the applier's to settle, however overdue; each user may have one pending email change.
    const pending = await factorChange(db, await seedUser(db), 'pending', long);
    const userId = await seedUser(db);
    const vetoed = await factorChange(db, userId, 'vetoed', long);
    const linkStillWorks = await factorChange(db, userId, 'applied', new Date(now.getTime() + HOUR));
    await purgeExpired(db, { now });
    expect(await rowExists(db, 'factor_changes', pending), 'pending').toBe(true);
    expect(await rowExists(db, 'factor_changes', vetoed), 'settled, link past').toBe(false);
    expect(await rowExists(db, 'factor_changes', linkStillWorks), 'settled, link still works').toBe(true);
  });

  it('keeps security events by default; a retention removes the oldest links of each chain, and the chains still verify', async () => {
    const chains = createAuditChainStore(db);
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000);
    const event = async (userId: string, daysAgo: number) => {
      const id = randomUUID();
      await db.query(`INSERT INTO security_events (id, user_id, kind, created_at) VALUES ($1, $2, 'login_succeeded', $3)`, [id, userId, at(daysAgo)]);
      return id;
    };
    const left = async (userId: string) => (await db.query<{ id: string }>('SELECT id FROM security_events WHERE user_id = $1 ORDER BY seq', [userId])).map((r) => r.id);
    // One user's chain: two old links, then a recent one, then (clock skew between instances) an old-dated one.
    const someone = randomUUID();
    const [ancient, old, recent, skewed] = [await event(someone, 4000), await event(someone, 400), await event(someone, 10), await event(someone, 500)];
    // Another user's chain is old from end to end.
    const gone = randomUUID();
    await event(gone, 1000);
    await event(gone, 900);

    await purgeExpired(db, { now: new Date() });
    expect(await left(someone)).toEqual([ancient, old, recent, skewed]);

    const dry = await purgeExpired(db, { now: new Date(), eventsRetentionDays: 365, dryRun: true });
    expect(dry.security_events).toBeGreaterThanOrEqual(4);
    const counts = await purgeExpired(db, { now: new Date(), eventsRetentionDays: 365, batchRows: 1 });
    expect(counts.security_events).toBeGreaterThanOrEqual(4);
    // A prefix of each chain: the old-dated link after a recent one stays, or the chain would have a hole.
    expect(await left(someone)).toEqual([recent, skewed]);
    expect(await left(gone)).toEqual([]);
    for (const chain of [someone, gone]) expect((await chains.verify(chain)).breaks, chain).toEqual([]);
    // A head published before the purge named the removed chain's last link: that one's hash is kept, so it still checks.
    const [head] = (await chains.heads()).filter((h) => h.chain === gone);
    expect(await chains.hashAt(gone, head!.seq)).toBe(head!.hash);

    // Outside a purge the log is as append-only as before: not even an old event can be deleted or changed.
    await expect(db.query('DELETE FROM security_events WHERE id = $1', [skewed])).rejects.toThrow(/append-only/);
    await expect(db.query(`UPDATE security_events SET kind = 'x' WHERE id = $1`, [recent])).rejects.toThrow(/append-only/);
    // And retention itself cannot cut a hole: with the cutoff declared, a link from the middle is refused.
    const third = randomUUID();
    const [first, second] = [await event(third, 800), await event(third, 700)];
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`SELECT set_config('twofold.events_retention_cutoff', $1, true)`, [new Date().toISOString()]);
        await tx.query('DELETE FROM security_events WHERE id = $1', [second]);
      }),
    ).rejects.toThrow(/oldest links of a chain/);
    expect(await left(third)).toEqual([first, second]);
  });
});

describe('the server’s periodic purge', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ PURGE_INTERVAL_SECONDS: '300' });
  });
  afterAll(() => t.close());

  it('deletes sessions that expired, keeps a live one, and counts purged rows by table in /metrics', async () => {
    const signUp = async () => {
      const email = uniqueEmail('purge');
      expect((await t.request('POST', '/v1/users', { body: { email, password: 'expiring session' } })).status).toBe(201);
      const signIn = await t.request('POST', '/v1/sessions', { body: { login: email, password: 'expiring session' } });
      expect(signIn.status).toBe(201);
      return signIn.body as { token: string; session: { id: string } };
    };
    const old = await signUp();
    // Past the session's 30 days and the grace; a session opened then is live.
    t.clock.advance(30 * 24 * HOUR + 2 * HOUR);
    const fresh = await signUp();

    const counts = await t.server.purge!.runOnce();
    expect(counts!.sessions).toBeGreaterThanOrEqual(1);
    expect(await rowExists(db, 'sessions', old.session.id)).toBe(false);
    expect(await rowExists(db, 'sessions', fresh.session.id)).toBe(true);
    expect((await t.request('GET', '/v1/me', { token: fresh.token })).status).toBe(200);

    const metrics = await t.server.metrics.scrape();
    const purged = /^twofold_purged_rows_total\{table="sessions"\} (\d+)$/m.exec(metrics);
    expect(Number(purged?.[1])).toBeGreaterThanOrEqual(counts!.sessions!);
  });
});
