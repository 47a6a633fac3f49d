import type { UserRecord } from '../users/user.ts';
import type { EnforcementPolicy } from './policy.ts';

/** How many users the policy covers, and how many of them are past their deadline (with a factor or not). */
export interface EnforcementCounts {
  covered: number;
  pastDeadline: number;
}

/**
 * Storage port for roles and the enforcement policy. The user rows carry what the policy means for each user
 * (`setupDueAt`), so every write here updates them in the same statement: a change is seen by the next request
 * of any session, on any instance, without a cache to invalidate.
 */
export interface EnforcementStore {
  policy(): Promise<EnforcementPolicy | null>;
  /** Stores the policy (null: off) and every user's deadline under it, in one statement. */
  setPolicy(policy: EnforcementPolicy | null, now: Date): Promise<void>;
  /** Sets a user's roles and their deadline under the stored policy, in one statement (null: no such user). */
  setRoles(userId: string, roles: string[], now: Date): Promise<UserRecord | null>;
  counts(now: Date): Promise<EnforcementCounts>;
}
