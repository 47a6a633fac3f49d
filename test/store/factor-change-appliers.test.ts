/**
 * Many instances apply the veto window's due changes (migration 0016): each claims a change with FOR UPDATE SKIP
 * LOCKED, so two appliers racing over the same backlog make every change exactly once. On PostgreSQL the appliers
 * use two pools, as two server instances do; on PGlite (one connection) their transactions interleave.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NewFactorChange } from '../../src/core/factor-changes/store.ts';
import { createStores } from '../../src/store/index.ts';
import { anotherPool, testDb, uniqueEmail, usingPostgres } from '../helpers/db.ts';

beforeAll(() => testDb(), 180_000);

describe('factor change appliers on one database', () => {
  it('apply each due change once when two race over the same backlog', async () => {
    const db = await testDb();
    const first = createStores(db);
    const second = createStores(usingPostgres() ? anotherPool() : db);
    const email = uniqueEmail('appliers');
    const user = await first.users.insert({ id: randomUUID(), email, emailNormalized: email, username: null, passwordHash: 'not a hash', createdAt: new Date() });
    const now = new Date();
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const change: NewFactorChange = {
        id: randomUUID(),
        userId: user.id,
        payload: { kind: 'passkey-remove', keyId: randomUUID() },
        sessionId: null,
        requestedAt: now,
        applyAt: new Date(now.getTime() + i),
        status: 'pending',
        vetoTokenHash: randomBytes(32),
        vetoUntil: new Date(now.getTime() + 60_000),
      };
      expect(await first.factorChanges.insert(change)).toBe('recorded');
      ids.push(change.id);
    }
    const later = new Date(now.getTime() + 1000);
    // Small batches, so each applier comes back for more while the other is still at work.
    const drain = async (stores: typeof first) => {
      const applied: string[] = [];
      for (let batch = await stores.factorChanges.applyDue(later, { limit: 3, userId: user.id }); batch.length > 0; batch = await stores.factorChanges.applyDue(later, { limit: 3, userId: user.id })) {
        applied.push(...batch.map((c) => c.id));
      }
      return applied;
    };
    // Four drains on two instances at once: every change is made by exactly one of them.
    const all = (await Promise.all([drain(first), drain(second), drain(first), drain(second)])).flat();
    expect(all).toHaveLength(ids.length);
    expect(new Set(all)).toEqual(new Set(ids));
    expect(await first.factorChanges.listPending(user.id)).toEqual([]);
  });
});
