import type { TestServer } from './server.ts';

/**
 * The one policy every test file that needs enforcement sets: the same role and grace, so that files running at
 * once on a shared database (the PostgreSQL pass) set the same policy and never take coverage from each other.
 */
export const ENFORCED_ROLE = 'test-enforced';
export const GRACE_SECONDS = 7 * 86_400;

export const enforceTestPolicy = (t: TestServer) => t.server.core.admin.enforcement.enforce({ everyone: false, roles: [ENFORCED_ROLE], graceSeconds: GRACE_SECONDS });

/** Puts a user under the policy: their grace starts now (or kept from before). */
export async function cover(t: TestServer, userId: string) {
  await enforceTestPolicy(t);
  return t.server.core.admin.setRoles(userId, [ENFORCED_ROLE]);
}

/**
 * Time travel by editing the stored row, not the clock: the user's grace began `days` ago. (Moving the clock would
 * also end the user's sessions by their idle timeout, and the point is what an existing session may do.)
 */
export async function graceStartedDaysAgo(t: TestServer, userId: string, days: number) {
  await t.server.db.query(
    `UPDATE users SET enforcement_started_at = enforcement_started_at - make_interval(days => $2::int),
                      setup_due_at = setup_due_at - make_interval(days => $2::int) WHERE id = $1`,
    [userId, days],
  );
}
