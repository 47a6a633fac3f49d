import type { RateLimitStore } from '../../core/limits/rate-limit.ts';
import type { MemoryTables } from './tables.ts';

export function createMemoryRateLimitStore(tables: MemoryTables): RateLimitStore {
  const { rateLimits } = tables;
  return {
    async hit(key, now, windowSeconds) {
      const row = rateLimits.get(key);
      // An expired window restarts at 1, as the SQL upsert does.
      if (!row || row.windowStart.getTime() <= now.getTime() - windowSeconds * 1000) {
        rateLimits.set(key, { windowStart: now, hits: 1 });
        return { hits: 1, windowStart: now };
      }
      row.hits += 1;
      return { hits: row.hits, windowStart: row.windowStart };
    },
    async refund(key, windowStart) {
      const row = rateLimits.get(key);
      if (row && row.windowStart.getTime() === windowStart.getTime() && row.hits > 0) row.hits -= 1;
    },
  };
}
