import type { Reservation, ThrottleStore } from '../core/guard/throttle-store.ts';
import type { Queryable } from './db.ts';

export function createThrottleStore(db: Queryable): ThrottleStore {
  return {
    async reserve(userId, now, policy): Promise<Reservation> {
      // One statement: concurrent tries each take their own number, and the one that reaches the
      // threshold sets the lock that refuses all that follow.
      const rows = await db.query<{ factor_failures: number; factor_locked_until: Date | null }>(
        `UPDATE users SET
           factor_failures = factor_failures + 1,
           factor_locked_until = CASE
             WHEN factor_failures + 1 >= $3 THEN '9999-12-31T00:00:00Z'::timestamptz
             WHEN (factor_failures + 1) % $4 = 0 THEN $2::timestamptz + make_interval(secs => $5 * power(2, least(factor_lockouts, 20)))
             ELSE factor_locked_until END,
           factor_lockouts = CASE WHEN (factor_failures + 1) % $4 = 0 THEN factor_lockouts + 1 ELSE factor_lockouts END
         WHERE id = $1 AND (factor_locked_until IS NULL OR factor_locked_until <= $2)
         RETURNING factor_failures, factor_locked_until`,
        [userId, now, policy.maxConsecutiveFailures, policy.failuresPerLockout, policy.baseLockSeconds],
      );
      if (rows[0]) return { granted: true, failures: rows[0].factor_failures, lockedUntil: rows[0].factor_locked_until };
      const locked = await db.query<{ until: Date | null }>(`SELECT factor_locked_until AS until FROM users WHERE id = $1`, [userId]);
      return { granted: false, lockedUntil: locked[0]?.until ?? now };
    },
    async reset(userId) {
      await db.query(
        `UPDATE users SET factor_failures = 0, factor_locked_until = NULL, factor_lockouts = 0
         WHERE id = $1 AND (factor_failures <> 0 OR factor_locked_until IS NOT NULL OR factor_lockouts <> 0)`,
        [userId],
      );
    },
  };
}
