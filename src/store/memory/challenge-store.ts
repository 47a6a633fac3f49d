import type { FactorState } from '../../core/challenge/factors.ts';
import type { ChallengeStore } from '../../core/challenge/store.ts';
import { identifies } from '../../core/users/identity.ts';
import { liveEmailCode } from './email-code-store.ts';
import { acceptAnswer, rejectAnswer } from './answer-rate.ts';
import { hex, later, type MemoryTables, userRecord } from './tables.ts';
import { transactionOfRow } from './transaction-store.ts';

/** The user's factor state as the SQL's one read builds it. */
function factorState(tables: MemoryTables, userId: string, now: Date): FactorState | null {
  const user = tables.users.get(userId);
  if (!user) return null;
  const credentials = [...tables.totp.values()].filter((c) => c.userId === userId).map((c) => ({ ...c, params: { ...c.params } }));
  const email = [...tables.emailCodes.values()].find((e) => e.userId === userId && e.usedAt === null && later(e.expiresAt, now));
  return {
    user: userRecord(user),
    throttle: { failures: user.factorFailures, lockedUntil: user.factorLockedUntil },
    authenticator: credentials.find((c) => c.state === 'active') ?? null,
    unconfirmed: credentials.find((c) => c.state !== 'active') ?? null,
    emailCode: email ? liveEmailCode(email) : null,
    webauthnKeys: [...tables.webauthn.values()].filter((k) => k.userId === userId).length,
  };
}

/** The challenge module's two reads and two atomic writes (migration 0008's functions, in memory). */
export function createMemoryChallengeStore(tables: MemoryTables): ChallengeStore {
  return {
    factors: async (userId, now) => factorState(tables, userId, now),
    async factorsByLogin(identity, now) {
      const row = [...tables.users.values()].find((u) => identifies(identity, u));
      const state = row && factorState(tables, row.id, now);
      return state ? { user: state.user, state } : null;
    },
    async transaction(idHash, now) {
      const row = tables.transactions.get(hex(idHash));
      const state = row && factorState(tables, row.userId, now);
      return row && state ? { transaction: transactionOfRow(row), state } : null;
    },
    async findBackupCode(userId, hashes) {
      const found = [...tables.backupCodes.values()]
        .filter((b) => b.userId === userId && hashes.includes(b.codeHash))
        // Unused first (NULLS FIRST).
        .sort((a, b) => (a.usedAt ? a.usedAt.getTime() : -Infinity) - (b.usedAt ? b.usedAt.getTime() : -Infinity))[0];
      return found ? { id: found.id, usedAt: found.usedAt } : null;
    },
    accept: async (write) => acceptAnswer(tables, write),
    reject: async (write) => rejectAnswer(tables, write),
  };
}
