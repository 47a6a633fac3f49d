import { covers, type EnforcementPolicy } from '../../core/enforcement/policy.ts';
import type { EnforcementStore } from '../../core/enforcement/store.ts';
import { type MemoryTables, type UserRow, userRecord } from './tables.ts';

const KEY = 'enforcement_policy';

const readPolicy = (tables: MemoryTables): EnforcementPolicy | null => {
  const value = tables.settings.get(KEY);
  if (value === undefined) return null;
  const stored = JSON.parse(value) as Omit<EnforcementPolicy, 'setAt'> & { setAt: string };
  return { ...stored, setAt: new Date(stored.setAt) };
};

/** Migration 0015's rule for one user row: start kept once covered, deadline = start + grace while covered. */
function applyPolicy(row: UserRow, policy: EnforcementPolicy | null, now: Date): void {
  if (policy === null) {
    row.enforcementStartedAt = null;
    row.setupDueAt = null;
    return;
  }
  if (!covers(policy, row.roles)) {
    row.setupDueAt = null;
    return;
  }
  row.enforcementStartedAt ??= now;
  row.setupDueAt = new Date(row.enforcementStartedAt.getTime() + policy.graceSeconds * 1000);
}

/** Migration 0015's insert trigger: a new account is covered from its creation by a policy for everyone. */
export function coverNewUser(tables: MemoryTables, row: UserRow): void {
  const policy = readPolicy(tables);
  if (covers(policy, row.roles)) applyPolicy(row, policy, row.createdAt);
}

/** Roles and the enforcement policy in memory, with the SQL store's rules (src/store/enforcement-store.ts). */
export function createMemoryEnforcementStore(tables: MemoryTables): EnforcementStore {
  return {
    async policy() {
      return readPolicy(tables);
    },
    async setPolicy(policy, now) {
      if (policy) tables.settings.set(KEY, JSON.stringify({ ...policy, setAt: policy.setAt.toISOString() }));
      else tables.settings.delete(KEY);
      for (const row of tables.users.values()) applyPolicy(row, policy, now);
    },
    async setRoles(userId, roles, now) {
      const row = tables.users.get(userId);
      if (!row) return null;
      row.roles = [...roles];
      row.updatedAt = now;
      applyPolicy(row, readPolicy(tables), now);
      return userRecord(row);
    },
    async counts(now) {
      const due = [...tables.users.values()].filter((u) => u.setupDueAt !== null);
      return { covered: due.length, pastDeadline: due.filter((u) => u.setupDueAt! <= now).length };
    },
  };
}
