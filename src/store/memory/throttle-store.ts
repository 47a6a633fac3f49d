import type { ThrottleStore } from '../../core/challenge/throttle.ts';
import type { MemoryTables } from './tables.ts';

export function resetThrottle(tables: MemoryTables, userId: string): void {
  const user = tables.users.get(userId);
  if (user) Object.assign(user, { factorFailures: 0, factorLockedUntil: null, factorLockouts: 0 });
}

export function createMemoryThrottleStore(tables: MemoryTables): ThrottleStore {
  return {
    async reset(userId) {
      resetThrottle(tables, userId);
    },
  };
}
