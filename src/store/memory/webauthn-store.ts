import { sameKeyName, type ChallengeBinding, type WebAuthnCredential, type WebAuthnStore } from '../../core/factors/webauthn/store.ts';
import { deleteWhere, hex, insertUnique, later, type ChallengeRow, type MemoryTables } from './tables.ts';

const copy = (c: WebAuthnCredential): WebAuthnCredential => ({ ...c, publicKey: new Uint8Array(c.publicKey), transports: [...c.transports] });

const byAge = (a: WebAuthnCredential, b: WebAuthnCredential) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A challenge matches when it was issued for the same user, purpose and (for logins) transaction, and is live. */
export function challengeMatches(row: ChallengeRow | undefined, binding: ChallengeBinding, now: Date): row is ChallengeRow {
  return (
    row !== undefined &&
    row.userId === binding.userId &&
    row.purpose === binding.purpose &&
    row.boundHash === (binding.boundTo ? hex(binding.boundTo) : null) &&
    row.usedAt === null &&
    later(row.expiresAt, now)
  );
}

export function createMemoryWebAuthnStore(tables: MemoryTables): WebAuthnStore {
  const { webauthn, challenges } = tables;
  const ofUser = (userId: string) => [...webauthn.values()].filter((c) => c.userId === userId);
  return {
    async insert(c) {
      tables.requireUser(c.userId);
      if (webauthn.has(c.id) || [...webauthn.values()].some((other) => other.credentialId === c.credentialId)) return 'duplicate';
      if (ofUser(c.userId).some((other) => sameKeyName(other.name, c.name))) return 'name_taken';
      webauthn.set(c.id, copy(c));
      return 'inserted';
    },
    listForUser: async (userId) => ofUser(userId).sort(byAge).map(copy),
    countForUser: async (userId) => ofUser(userId).length,
    async findByCredentialId(credentialId) {
      const found = [...webauthn.values()].find((c) => c.credentialId === credentialId);
      return found ? copy(found) : null;
    },
    async rename(id, userId, name) {
      // As the SQL: another user's key is not found, whatever the name; then the name is judged.
      const found = webauthn.get(id);
      if (found?.userId !== userId) return 'not_found';
      if (ofUser(userId).some((other) => other.id !== id && sameKeyName(other.name, name))) return 'name_taken';
      found.name = name;
      return 'renamed';
    },
    async remove(id, userId) {
      const found = webauthn.get(id);
      return found?.userId === userId ? webauthn.delete(id) : false;
    },
    removeAll: async (userId) => deleteWhere(webauthn, (c) => c.userId === userId),
    async saveChallenge(challengeHash, binding, now, expiresAt) {
      tables.requireUser(binding.userId);
      // The user's spent and expired challenges go with it, as in the SQL statement.
      const key = hex(challengeHash);
      deleteWhere(challenges, (c) => spentOrExpired(c, binding.userId, now));
      const boundHash = binding.boundTo ? hex(binding.boundTo) : null;
      insertUnique(challenges, key, { challengeHash: key, userId: binding.userId, purpose: binding.purpose, boundHash, createdAt: now, expiresAt, usedAt: null }, 'webauthn_challenges_pkey');
    },
    async consumeChallenge(challengeHash, binding, now) {
      const row = challenges.get(hex(challengeHash));
      if (!challengeMatches(row, binding, now)) return false;
      row.usedAt = now;
      return true;
    },
    isChallengeLive: async (challengeHash, binding, now) => challengeMatches(challenges.get(hex(challengeHash)), binding, now),
  };
}

const spentOrExpired = (c: ChallengeRow, userId: string, now: Date) => c.userId === userId && (c.usedAt !== null || !later(c.expiresAt, now));
