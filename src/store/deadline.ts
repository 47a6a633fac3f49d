import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The time a piece of work (an HTTP request, a DDP method, a readiness probe) may spend waiting on the
 * database. The PostgreSQL driver reads it: it gives up on a pool wait or a statement once the deadline
 * passes, so a slow or locked database costs a caller a bounded wait, never a hang. Carried in
 * AsyncLocalStorage so the core, which knows nothing of time limits, need not pass it along.
 */
const deadlines = new AsyncLocalStorage<number>();

/** Runs `fn` with its database work bounded to `ms` from now; a nested deadline never outlives its parent's. */
export function withDeadline<T>(ms: number, fn: () => T): T {
  return runUntil(Date.now() + ms, fn);
}

/** Runs `fn` under the absolute deadline `atMs` (epoch milliseconds), or the enclosing one if sooner. */
export function runUntil<T>(atMs: number, fn: () => T): T {
  const outer = deadlines.getStore();
  return deadlines.run(outer === undefined ? atMs : Math.min(outer, atMs), fn);
}

/** Milliseconds left before the current deadline (≤ 0: passed), or undefined outside any. */
export function remainingMs(): number | undefined {
  const at = deadlines.getStore();
  return at === undefined ? undefined : at - Date.now();
}
