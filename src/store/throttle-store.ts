import type { ThrottleStore } from '../core/challenge/throttle.ts';
import type { Queryable } from './db.ts';

/** Failures are counted by `twofold_reject_proof` and reset by `twofold_accept_proof` (migration 0008). */
export function createThrottleStore(db: Queryable): ThrottleStore {
  return {
    async reset(userId) {
      await db.query(
        `UPDATE users SET factor_failures = 0, factor_locked_until = NULL, factor_lockouts = 0
         WHERE id = $1 AND (factor_failures <> 0 OR factor_locked_until IS NOT NULL OR factor_lockouts <> 0)`,
        [userId],
      );
    },
  };
}
