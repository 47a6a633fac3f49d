import { sessionOf } from '../../core/sessions/sessions.ts';
import type { NewSession, SessionStore } from '../../core/sessions/store.ts';
import { appendChained } from './audit-chain-store.ts';
import { hex, later, type MemoryTables, type SessionRow, sessionOfRow, uniqueViolation, userRecord } from './tables.ts';

/** A new session's row, as the SQL insert fills its columns (also what an accepted sign-in answer writes). */
export const sessionRow = (s: NewSession): SessionRow => ({ ...sessionOf(s), tokenHash: hex(s.tokenHash) });

export function createMemorySessionStore(tables: MemoryTables): SessionStore {
  const { sessions } = tables;
  const live = (userId: string) => [...sessions.values()].filter((s) => s.userId === userId && s.revokedAt === null);
  return {
    async insert(s, events = []) {
      tables.requireUser(s.userId);
      assertNewSession(tables, s);
      const row = sessionRow(s);
      appendChained(tables, events);
      sessions.set(row.id, row);
      return sessionOfRow(row);
    },
    async findByTokenHash(tokenHash) {
      const wanted = hex(tokenHash);
      const row = [...sessions.values()].find((s) => s.tokenHash === wanted && s.revokedAt === null);
      const user = row && tables.users.get(row.userId);
      return row && user ? { session: sessionOfRow(row), user: userRecord(user) } : null;
    },
    async touchMany(seen) {
      for (const { id, at } of seen) {
        const row = sessions.get(id);
        if (row && row.lastSeenAt < at) row.lastSeenAt = at;
      }
    },
    async listForUser(userId, now) {
      return live(userId)
        .filter((s) => later(s.expiresAt, now))
        .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime())
        .map(sessionOfRow);
    },
    async revoke(id, userId, now) {
      const row = sessions.get(id);
      if (!row || row.userId !== userId || row.revokedAt !== null) return false;
      row.revokedAt = now;
      return true;
    },
    async revokeAllForUser(userId, now, exceptSessionId) {
      const revoked = live(userId).filter((s) => s.id !== exceptSessionId);
      for (const row of revoked) row.revokedAt = now;
      return revoked.length;
    },
  };
}

/** Session ids and token hashes are unique. */
export function assertNewSession(tables: MemoryTables, s: NewSession): void {
  const tokenHash = hex(s.tokenHash);
  if (tables.sessions.has(s.id)) throw uniqueViolation('sessions_pkey');
  if ([...tables.sessions.values()].some((other) => other.tokenHash === tokenHash)) throw uniqueViolation('sessions_token_hash_key');
}
