import type { RateLimitStore } from '../core/limits/rate-limit.ts';
import type { Queryable } from './db.ts';

export function createRateLimitStore(db: Queryable): RateLimitStore {
  return {
    async hit(key, now, windowSeconds) {
      // One upsert: concurrent hits on any instance each get their own count; an expired window restarts at 1.
      const rows = await db.query<{ hits: number; window_start: Date }>(
        `INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN rate_limits.window_start <= $2::timestamptz - make_interval(secs => $3) THEN 1 ELSE rate_limits.hits + 1 END,
           window_start = CASE WHEN rate_limits.window_start <= $2::timestamptz - make_interval(secs => $3) THEN $2 ELSE rate_limits.window_start END
         RETURNING hits, window_start`,
        [key, now, windowSeconds],
      );
      return { hits: rows[0]!.hits, windowStart: rows[0]!.window_start };
    },
    async refund(key, windowStart) {
      // Only within the window that counted the hit: a new window has not counted it.
      await db.query(`UPDATE rate_limits SET hits = hits - 1 WHERE key = $1 AND window_start = $2 AND hits > 0`, [key, windowStart]);
    },
  };
}
