import type { EnforcementPolicy } from '../core/enforcement/policy.ts';
import type { EnforcementStore } from '../core/enforcement/store.ts';
import type { Queryable } from './db.ts';
import { toUserRecord, type UserRow } from './user-store.ts';

const KEY = 'enforcement_policy';

interface StoredPolicy {
  everyone: boolean;
  roles: string[];
  graceSeconds: number;
  setAt: string;
}

const stored = (policy: EnforcementPolicy): StoredPolicy => ({ ...policy, setAt: policy.setAt.toISOString() });

/**
 * Roles and the enforcement policy. Who a policy covers is decided in SQL by `twofold_enforced` (migration 0015),
 * the same rule as `covers` in the core, so that a policy change updates every user in one statement.
 */
export function createEnforcementStore(db: Queryable): EnforcementStore {
  return {
    async policy() {
      const rows = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [KEY]);
      if (!rows[0]) return null;
      const value = JSON.parse(rows[0].value) as StoredPolicy;
      return { everyone: value.everyone, roles: value.roles, graceSeconds: value.graceSeconds, setAt: new Date(value.setAt) };
    },
    async setPolicy(policy, now) {
      // One statement: the policy row and every user's deadline change together (a reader sees both or neither).
      // Turning it off forgets when it started; a new policy later is a new start for everyone.
      const value = policy ? JSON.stringify(stored(policy)) : null;
      await db.query(
        `WITH saved AS (
           INSERT INTO settings (key, value) SELECT $1, $2::text WHERE $2::text IS NOT NULL
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value RETURNING key
         ), removed AS (
           DELETE FROM settings WHERE key = $1 AND $2::text IS NULL RETURNING key
         )
         UPDATE users u SET
           enforcement_started_at = CASE WHEN $2::text IS NULL THEN NULL
             WHEN twofold_enforced($2::text::jsonb, u.roles) THEN COALESCE(u.enforcement_started_at, $3::timestamptz) ELSE u.enforcement_started_at END,
           setup_due_at = twofold_setup_due($2::text::jsonb, u.roles, u.enforcement_started_at, $3::timestamptz)
         WHERE u.setup_due_at IS DISTINCT FROM twofold_setup_due($2::text::jsonb, u.roles, u.enforcement_started_at, $3::timestamptz)
            OR ($2::text IS NULL AND u.enforcement_started_at IS NOT NULL)
            OR (twofold_enforced($2::text::jsonb, u.roles) AND u.enforcement_started_at IS NULL)`,
        [KEY, value, now],
      );
    },
    async setRoles(userId, roles, now) {
      const rows = await db.query<UserRow>(
        `WITH policy AS (SELECT (SELECT value::jsonb FROM settings WHERE key = $4) AS v)
         UPDATE users u SET
           roles = $2::text[],
           enforcement_started_at = CASE WHEN twofold_enforced(policy.v, $2::text[]) THEN COALESCE(u.enforcement_started_at, $3::timestamptz) ELSE u.enforcement_started_at END,
           setup_due_at = twofold_setup_due(policy.v, $2::text[], u.enforcement_started_at, $3::timestamptz),
           updated_at = $3::timestamptz
         FROM policy WHERE u.id = $1 RETURNING u.*`,
        [userId, roles, now, KEY],
      );
      return rows[0] ? toUserRecord(rows[0]) : null;
    },
    async counts(now) {
      const rows = await db.query<{ covered: string; past_deadline: string }>(
        'SELECT count(*) AS covered, count(*) FILTER (WHERE setup_due_at <= $1) AS past_deadline FROM users WHERE setup_due_at IS NOT NULL',
        [now],
      );
      return { covered: Number(rows[0]?.covered ?? 0), pastDeadline: Number(rows[0]?.past_deadline ?? 0) };
    },
  };
}
