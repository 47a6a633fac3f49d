// A tamper-evident audit log (issue 18): every security event is a link of its user's hash chain. Editing, deleting,
// reordering or cutting events with SQL is found and named by `audit verify`; a published, signed head shows later
// that nothing before it changed; parallel writers never fork a chain. (Tampering needs the append-only trigger
// set aside, as an attacker with the database owner's rights would; each test tampers one user's chain and
// removes it afterwards, so the shared database's other chains stay whole.)
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser } from '../helpers/accounts.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const audit = () => t.server.core.admin.audit;
const sql = (text: string, params: unknown[] = []) => t.server.db.query<Record<string, any>>(text, params);
async function tamper(statements: () => Promise<unknown>) {
  await t.server.db.exec('ALTER TABLE security_events DISABLE TRIGGER security_events_no_update');
  try {
    await statements();
  } finally {
    await t.server.db.exec('ALTER TABLE security_events ENABLE TRIGGER security_events_no_update');
  }
}
/** Removes a tampered chain entirely, head included, so the rest of the suite's log verifies again. */
const forget = (chain: string) =>
  tamper(async () => {
    await sql('DELETE FROM security_events WHERE chain = $1', [chain]);
    await sql('DELETE FROM audit_chain_heads WHERE chain = $1', [chain]);
  });

/** Runs a tampering test on a user's chain and removes that chain afterwards, whatever happened. */
async function onAChain<T>(label: string, test: (user: Awaited<ReturnType<typeof busyUser>>) => Promise<T>) {
  const user = await busyUser(label);
  try {
    return await test(user);
  } finally {
    await forget(user.userId);
  }
}

/** A user with a dozen events in their chain. */
async function busyUser(label: string) {
  const user = await enrolledUser(t, label);
  for (let i = 0; i < 4; i++) await t.request('POST', '/v1/me/step-up', { token: user.token, body: { operation: 'x', code: '000000' } });
  const events = await sql('SELECT id, seq FROM security_events WHERE chain = $1 ORDER BY seq', [user.userId]);
  expect(events.length).toBeGreaterThan(6);
  return { ...user, events };
}

describe('the audit chain', () => {
  it('holds after ordinary traffic, and every event knows its place', async () => {
    const user = await busyUser('chain-ok');
    expect(await audit().verify(user.userId)).toMatchObject({ breaks: [], events: user.events.length });
    expect(user.events.map((e) => Number(e.seq))).toEqual(user.events.map((_, i) => i + 1));
  });

  it('finds an edited event and names it', () =>
    onAChain('chain-edit', async (user) => {
      const victim = user.events[3]!;
      await tamper(() => sql(`UPDATE security_events SET details = '{"method":"totp"}'::jsonb WHERE id = $1`, [victim.id]));
      const { breaks } = await audit().verify(user.userId);
      expect(breaks).toEqual([expect.objectContaining({ problem: 'edited', eventId: victim.id, seq: 4 })]);
    }));

  it('finds a deleted event', () =>
    onAChain('chain-delete', async (user) => {
      await tamper(() => sql('DELETE FROM security_events WHERE id = $1', [user.events[2]!.id]));
      expect((await audit().verify(user.userId)).breaks).toEqual([expect.objectContaining({ problem: 'missing', seq: 4, eventId: user.events[3]!.id })]);
    }));

  it('finds reordered events', () =>
    onAChain('chain-reorder', async (user) => {
      const [a, b] = [user.events[1]!, user.events[2]!];
      await tamper(async () => {
        await sql('UPDATE security_events SET seq = -1 WHERE id = $1', [a.id]);
        await sql('UPDATE security_events SET seq = $2 WHERE id = $1', [b.id, a.seq]);
        await sql('UPDATE security_events SET seq = $2 WHERE id = $1', [a.id, b.seq]);
      });
      const swapped = (await audit().verify(user.userId)).breaks;
      expect(swapped.map((x) => x.eventId)).toEqual(expect.arrayContaining([a.id, b.id]));
      expect(swapped.every((x) => x.problem === 'edited' || x.problem === 'link-broken')).toBe(true);
    }));

  it('finds a cut tail', () =>
    onAChain('chain-cut', async (user) => {
      await tamper(() => sql('DELETE FROM security_events WHERE chain = $1 AND seq >= $2', [user.userId, user.events.length - 1]));
      expect((await audit().verify(user.userId)).breaks).toEqual([expect.objectContaining({ problem: 'tail-cut', expected: String(user.events.length) })]);
    }));

  it('a published head is signed, survives new events, and shows a later rewrite (even of the head itself)', () =>
    onAChain('chain-head', async (user) => {
      const published = await audit().head();
      expect(published.signature).toEqual(expect.any(String));
      await t.request('POST', '/v1/me/step-up', { token: user.token, body: { operation: 'x', code: '000000' } });
      expect(await audit().checkPublished(published)).toEqual([]);
      // Someone cuts the tail and rewrites the head to match: the chain alone looks whole, the published head does not.
      await tamper(async () => {
        await sql('DELETE FROM security_events WHERE chain = $1 AND seq >= $2', [user.userId, user.events.length]);
        await sql(`UPDATE audit_chain_heads h SET seq = e.seq, hash = e.hash FROM security_events e WHERE h.chain = $1 AND e.chain = $1 AND e.seq = $2`, [
          user.userId,
          user.events.length - 1,
        ]);
      });
      expect((await audit().verify(user.userId)).breaks).toEqual([]);
      expect(await audit().checkPublished(published)).toEqual([expect.objectContaining({ chain: user.userId, problem: 'against-published' })]);
      // A forged head (another digest under the same signature) is refused as such.
      expect(await audit().checkPublished({ ...published, digest: '0'.repeat(64) })).toEqual([expect.objectContaining({ problem: 'against-published', chain: '*' })]);
    }));

  it('parallel writers never fork a chain or lose an event', async () => {
    const user = await enrolledUser(t, 'chain-parallel');
    const before = Number((await sql('SELECT seq FROM audit_chain_heads WHERE chain = $1', [user.userId]))[0]!.seq);
    await Promise.all(Array.from({ length: 9 }, () => t.request('POST', '/v1/me/step-up', { token: user.token, body: { operation: 'x', code: '000000' } })));
    const seqs = (await sql('SELECT seq FROM security_events WHERE chain = $1 ORDER BY seq', [user.userId])).map((r) => Number(r.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(seqs.length).toBeGreaterThanOrEqual(before + 9);
    expect((await audit().verify(user.userId)).breaks).toEqual([]);
  });

  it('a new chain started by parallel writers has one first link and no fork', async () => {
    // No head row yet: every writer races to create it (the insert path of the head's one statement).
    const chain = randomUUID();
    try {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          sql(`INSERT INTO security_events (id, user_id, kind, details, created_at) VALUES ($1, $2, 'login_failed', $3, now())`, [randomUUID(), chain, { i }]),
        ),
      );
      const links = await sql('SELECT seq, prev_hash IS NULL AS first FROM security_events WHERE chain = $1 ORDER BY seq', [chain]);
      expect(links.map((l) => Number(l.seq))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(links.map((l) => l.first)).toEqual([true, false, false, false, false, false, false, false]);
      expect(await audit().verify(chain)).toMatchObject({ breaks: [], events: 8 });
    } finally {
      await forget(chain);
    }
  });
});
