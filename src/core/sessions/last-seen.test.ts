// A session's use is written in batches, not by the request that used it (benchmark 6: a write per DDP call).
import { describe, expect, it } from 'vitest';
import { LastSeen, TOUCH_INTERVAL_MS } from './last-seen.ts';
import type { Session } from './session.ts';

const T0 = new Date('2026-11-30T00:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

function session(id: string, lastSeenAt = T0): Session {
  return {
    id,
    userId: 'u',
    client: 'ddp',
    ip: null,
    userAgent: null,
    createdAt: T0,
    lastSeenAt,
    expiresAt: later(3_600_000),
    revokedAt: null,
    secondFactorAt: null,
    secondFactorIp: null,
    secondFactorUserAgent: null,
    passwordAt: T0,
    amr: ['pwd'],
  };
}

/** A store that records each batch it is handed, and fails while `down` is set. */
function recordingStore() {
  const batches: Array<Array<{ id: string; at: Date }>> = [];
  const store = {
    down: false,
    batches,
    async touchMany(seen: ReadonlyArray<{ id: string; at: Date }>) {
      if (store.down) throw new Error('database down');
      batches.push([...seen]);
    },
  };
  return store;
}

describe('LastSeen', () => {
  it('writes nothing while a request uses a session; one flush writes every use noted since, once', async () => {
    const store = recordingStore();
    const lastSeen = new LastSeen(store);
    await lastSeen.note(session('a'), later(TOUCH_INTERVAL_MS + 1));
    await lastSeen.note(session('b'), later(TOUCH_INTERVAL_MS + 2));
    expect(store.batches).toEqual([]);
    expect(await lastSeen.flush()).toBe(2);
    expect(store.batches).toEqual([
      [
        { id: 'a', at: later(TOUCH_INTERVAL_MS + 1) },
        { id: 'b', at: later(TOUCH_INTERVAL_MS + 2) },
      ],
    ]);
    expect(await lastSeen.flush()).toBe(0);
    expect(store.batches.length).toBe(1);
  });

  it('notes a use only when what it knows of the session is older than the interval', async () => {
    const lastSeen = new LastSeen(recordingStore());
    await lastSeen.note(session('a'), later(TOUCH_INTERVAL_MS));
    expect(lastSeen.waiting).toBe(0);
    await lastSeen.note(session('a'), later(TOUCH_INTERVAL_MS + 1));
    // The row still says T0, but the waiting time is what counts: a second use a moment later adds nothing.
    await lastSeen.note(session('a'), later(TOUCH_INTERVAL_MS + 1_000));
    expect(lastSeen.of(session('a'))).toEqual(later(TOUCH_INTERVAL_MS + 1));
    await lastSeen.note(session('a'), later(2 * TOUCH_INTERVAL_MS + 2));
    expect(lastSeen.of(session('a'))).toEqual(later(2 * TOUCH_INTERVAL_MS + 2));
    expect(lastSeen.waiting).toBe(1);
  });

  it('judges by the later of the row and a waiting use', async () => {
    const lastSeen = new LastSeen(recordingStore());
    const fresh = session('a', later(5 * TOUCH_INTERVAL_MS));
    await lastSeen.note(session('a'), later(2 * TOUCH_INTERVAL_MS));
    expect(lastSeen.of(fresh)).toBe(fresh.lastSeenAt);
    expect(lastSeen.current(fresh)).toBe(fresh);
    expect(lastSeen.current(session('a')).lastSeenAt).toEqual(later(2 * TOUCH_INTERVAL_MS));
    expect(lastSeen.of(session('b'))).toEqual(T0);
  });

  it('keeps what a failed flush held, unless a newer use came meanwhile, and writes it next time', async () => {
    const store = recordingStore();
    const lastSeen = new LastSeen(store);
    await lastSeen.note(session('a'), later(TOUCH_INTERVAL_MS + 1));
    await lastSeen.note(session('b'), later(TOUCH_INTERVAL_MS + 1));
    store.down = true;
    const failing = lastSeen.flush();
    await lastSeen.note(session('b'), later(3 * TOUCH_INTERVAL_MS));
    await expect(failing).rejects.toThrow('database down');
    expect(lastSeen.waiting).toBe(2);
    store.down = false;
    expect(await lastSeen.flush()).toBe(2);
    expect(store.batches).toEqual([
      [
        { id: 'b', at: later(3 * TOUCH_INTERVAL_MS) },
        { id: 'a', at: later(TOUCH_INTERVAL_MS + 1) },
      ],
    ]);
  });

  it('runs one flush at a time: a second waits for the first and writes only what came after', async () => {
    const store = recordingStore();
    const lastSeen = new LastSeen(store);
    await lastSeen.note(session('a'), later(TOUCH_INTERVAL_MS + 1));
    const first = lastSeen.flush();
    await lastSeen.note(session('b'), later(TOUCH_INTERVAL_MS + 1));
    const second = lastSeen.flush();
    expect(await Promise.all([first, second])).toEqual([1, 1]);
    expect(store.batches.map((batch) => batch.map((s) => s.id))).toEqual([['a'], ['b']]);
  });

  it('writes at once when 20,000 uses wait, so memory stays bounded', async () => {
    const store = recordingStore();
    const lastSeen = new LastSeen(store);
    for (let i = 0; i < 19_999; i++) await lastSeen.note(session(`s${i}`), later(TOUCH_INTERVAL_MS + 1));
    expect(store.batches).toEqual([]);
    await lastSeen.note(session('last'), later(TOUCH_INTERVAL_MS + 1));
    // Written in slices of 500 rows, one statement each, so no single UPDATE holds a core for long.
    expect(store.batches.map((batch) => batch.length)).toEqual(Array(40).fill(500));
    expect(lastSeen.waiting).toBe(0);
  });

  it('keeps only what a flush failing half-way had not written yet', async () => {
    const store = recordingStore();
    let calls = 0;
    const failing = {
      async touchMany(seen: ReadonlyArray<{ id: string; at: Date }>) {
        if (++calls === 2) throw new Error('database gone');
        await store.touchMany(seen);
      },
    };
    const lastSeen = new LastSeen(failing);
    for (let i = 0; i < 1_200; i++) await lastSeen.note(session(`s${i}`), later(TOUCH_INTERVAL_MS + 1));
    await expect(lastSeen.flush()).rejects.toThrow('database gone');
    expect(store.batches.map((batch) => batch.length)).toEqual([500]);
    expect(lastSeen.waiting).toBe(700);
    expect(await lastSeen.flush()).toBe(700);
    expect(store.batches.flat().map((s) => s.id)).toEqual(Array.from({ length: 1_200 }, (_, i) => `s${i}`));
  });
});
