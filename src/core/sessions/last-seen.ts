import type { Session } from './session.ts';
import type { SessionStore } from './store.ts';

/** A session's last use is written at most this often: reads must not turn into writes. */
export const TOUCH_INTERVAL_MS = 60_000;
/** Past this many waiting times, the request that adds one waits for them to be written (a bound on memory). */
const MAX_WAITING = 20_000;
/** Rows per statement when the waiting uses are written. */
const SLICE = 500;

/**
 * When sessions were last used, kept in this process and written together (`flush`, every few seconds from the
 * server, and at its close) instead of one UPDATE with its own commit in the request that used them: with many DDP
 * connections nearly every method call was the first of its session in a minute, a writing commit before its reads
 * (docs/benchmarks.md, benchmark 6). This process judges idleness by the later of the row's time and a waiting one;
 * another instance sees the row, at most one interval plus one flush late, which the idle timeout (days by default,
 * never under the interval's order) absorbs.
 */
export class LastSeen {
  readonly #waiting = new Map<string, Date>();
  #flushing: Promise<number> | null = null;

  constructor(private readonly store: Pick<SessionStore, 'touchMany'>) {}

  /** When `session` was last used, as far as this process knows. */
  of(session: Session): Date {
    const waiting = this.#waiting.get(session.id);
    return waiting && waiting > session.lastSeenAt ? waiting : session.lastSeenAt;
  }

  /** The session seen as this process knows it (for lists: a time still waiting to be written counts). */
  current(session: Session): Session {
    const lastSeenAt = this.of(session);
    return lastSeenAt === session.lastSeenAt ? session : { ...session, lastSeenAt };
  }

  /** Records a use of `session` at `now`, when what is known of it is older than the interval. */
  async note(session: Session, now: Date): Promise<void> {
    if (now.getTime() - this.of(session).getTime() <= TOUCH_INTERVAL_MS) return;
    this.#waiting.set(session.id, now);
    if (this.#waiting.size >= MAX_WAITING) await this.flush();
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Writes every waiting time, a slice of at most 500 a statement; resolves with how many were handed over. One
   * flush at a time; a failed one (the database down) puts back what it had not written, unless newer uses came.
   */
  async flush(): Promise<number> {
    while (this.#flushing) await this.#flushing.catch(() => undefined);
    if (this.#waiting.size === 0) return 0;
    const batch = [...this.#waiting].map(([id, at]) => ({ id, at }));
    this.#waiting.clear();
    this.#flushing = this.#write(batch);
    try {
      return await this.#flushing;
    } finally {
      this.#flushing = null;
    }
  }

  // In slices: one UPDATE of thousands of rows (every session's first use in a minute, 10,000 DDP connections)
  // held a core for tens of milliseconds, and method calls queued behind it (benchmark 6's p99).
  async #write(batch: Array<{ id: string; at: Date }>): Promise<number> {
    let written = 0;
    try {
      for (; written < batch.length; written += SLICE) await this.store.touchMany(batch.slice(written, written + SLICE));
    } catch (error) {
      for (const { id, at } of batch.slice(written)) if (!this.#waiting.has(id)) this.#waiting.set(id, at);
      throw error;
    }
    return batch.length;
  }
}
