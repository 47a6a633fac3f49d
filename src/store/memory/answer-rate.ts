import type { AcceptOutcome, AcceptWrite, RateWindow, RejectOutcome, RejectWrite } from '../../core/challenge/store.ts';
import type { RateSeen } from '../../core/limits/rate-limit.ts';
import { acceptProof, rejectProof } from './proof-writes.ts';
import type { MemoryTables } from './tables.ts';

/** The window's failures as `now` sees them: an expired window counts nothing. */
function liveWindow(tables: MemoryTables, rate: RateWindow, now: Date): RateSeen {
  const row = tables.rateLimits.get(rate.key);
  if (!row || row.windowStart.getTime() <= now.getTime() - rate.windowSeconds * 1000) return { hits: 0, windowStart: null };
  return { hits: row.hits, windowStart: row.windowStart };
}

/** Counts one failure, restarting an expired window at 1 (the upsert of rate-limit-store.ts and migration 0012). */
function countFailure(tables: MemoryTables, rate: RateWindow, now: Date): RateSeen & { windowStart: Date } {
  const seen = liveWindow(tables, rate, now);
  const row = seen.windowStart ? { windowStart: seen.windowStart, hits: seen.hits + 1 } : { windowStart: now, hits: 1 };
  tables.rateLimits.set(rate.key, row);
  return row;
}

/** `twofold_accept_answer` (migration 0012): accepted only while the window has a failure to spare; counts nothing. */
export function acceptAnswer(tables: MemoryTables, w: AcceptWrite): AcceptOutcome {
  if (!w.rate) return acceptProof(tables, w);
  const seen = liveWindow(tables, w.rate, w.now);
  if (seen.hits >= w.rate.limit) return { status: 'rate-limited', rate: { hits: seen.hits, windowStart: seen.windowStart! } };
  const outcome = acceptProof(tables, w);
  return outcome.status === 'accepted' ? { ...outcome, rate: seen } : outcome;
}

/** `twofold_reject_answer`: the failure is counted first; past the limit nothing else is spent or recorded. */
export function rejectAnswer(tables: MemoryTables, w: RejectWrite): RejectOutcome {
  if (!w.rate) return rejectProof(tables, w);
  const rate = countFailure(tables, w.rate, w.now);
  if (rate.hits > w.rate.limit) return { status: 'rate-limited', rate };
  const outcome = rejectProof(tables, w);
  return outcome.status === 'rate-limited' ? outcome : { ...outcome, rate };
}
