import { TwofoldError } from '../../core/errors.ts';
import { identifies } from '../../core/users/identity.ts';
import type { UserStore } from '../../core/users/store.ts';
import type { UserRecord } from '../../core/users/user.ts';
import { coverNewUser } from './enforcement-store.ts';
import { type MemoryTables, type UserRow, userRecord } from './tables.ts';

/** `users`: unique email (normalized) and username (any case), as the SQL's unique indexes. */
export function createMemoryUserStore(tables: MemoryTables): UserStore {
  const { users } = tables;
  function update(id: string, change: Partial<UserRow>): UserRecord | null {
    const row = users.get(id);
    if (!row) return null;
    Object.assign(row, change);
    return userRecord(row);
  }
  const byUsername = (username: string) => [...users.values()].find((u) => identifies({ username }, u));
  return {
    async insert(user) {
      const taken =
        users.has(user.id) ||
        [...users.values()].some((u) => u.emailNormalized === user.emailNormalized) ||
        (user.username !== null && byUsername(user.username) !== undefined);
      if (taken) throw new TwofoldError('user_exists');
      const row: UserRow = {
        ...user,
        emailVerifiedAt: null,
        disabledAt: null,
        emailTwoFactorEnabledAt: null,
        updatedAt: user.createdAt,
        roles: [],
        enforcementStartedAt: null,
        setupDueAt: null,
        lockedByOwnerAt: null,
        factorFailures: 0,
        factorLockedUntil: null,
        factorLockouts: 0,
      };
      coverNewUser(tables, row);
      users.set(user.id, row);
      return userRecord(row);
    },
    async findById(id) {
      const row = users.get(id);
      return row ? userRecord(row) : null;
    },
    async findByEmail(emailNormalized) {
      const row = [...users.values()].find((u) => u.emailNormalized === emailNormalized);
      return row ? userRecord(row) : null;
    },
    async findByUsername(username) {
      const row = byUsername(username);
      return row ? userRecord(row) : null;
    },
    async list({ limit, offset }) {
      const sorted = [...users.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return sorted.slice(offset, offset + limit).map(userRecord);
    },
    setDisabled: async (id, disabledAt, now) => update(id, { disabledAt, updatedAt: now }),
    setEmailVerified: async (id, emailVerifiedAt, now) => update(id, { emailVerifiedAt, updatedAt: now }),
    setEmailTwoFactor: async (id, emailTwoFactorEnabledAt, now) => update(id, { emailTwoFactorEnabledAt, updatedAt: now }),
    async setPasswordHash(id, passwordHash, now) {
      update(id, { passwordHash, updatedAt: now });
    },
    delete: async (id) => tables.deleteUser(id),
  };
}
