import type { KeyRotationStore } from '../../core/keys/rotation.ts';
import { later, type MemoryTables } from './tables.ts';

/** Ciphertexts read `v1.<keyId>.…`, peppered hashes `<keyId>$…` (as the SQL's split_part). */
const sealedKeyId = (sealed: string) => sealed.split('.')[1] ?? '';
const hashKeyId = (hash: string) => hash.split('$')[0] ?? '';

/** A new authenticator the veto window holds: its credential waits in its pending change (`moved`). */
const waitingCredentials = (tables: MemoryTables) =>
  [...tables.factorChanges.values()].flatMap((change) => (change.status === 'pending' && change.moved ? [{ change, credential: change.moved }] : []));

export function createMemoryKeyRotationStore(tables: MemoryTables): KeyRotationStore {
  return {
    async listNotUnder(activeKeyId, limit) {
      return [
        ...[...tables.totp.values()].map((c) => ({ kind: 'totp' as const, id: c.id, sealed: c.secretSealed })),
        ...waitingCredentials(tables).map(({ credential: c }) => ({ kind: 'pending-totp' as const, id: c.id, sealed: c.secretSealed })),
      ]
        .filter((secret) => sealedKeyId(secret.sealed) !== activeKeyId)
        .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, limit);
    },
    // Webhook endpoints are SQL only (operator-stores.ts): every sealed secret here is a TOTP key.
    async replaceSealed({ kind, id }, expected, replacement) {
      const credential = kind === 'pending-totp' ? waitingCredentials(tables).find(({ credential: c }) => c.id === id)?.credential : tables.totp.get(id);
      if (!credential || credential.secretSealed !== expected) return false;
      credential.secretSealed = replacement;
      return true;
    },
    async usage(now) {
      const usage = new Map<string, { keyId: string; secrets: number; backupCodes: number; emailCodes: number }>();
      const count = (keyId: string, field: 'secrets' | 'backupCodes' | 'emailCodes') => {
        const entry = usage.get(keyId) ?? { keyId, secrets: 0, backupCodes: 0, emailCodes: 0 };
        entry[field] += 1;
        usage.set(keyId, entry);
      };
      for (const c of tables.totp.values()) count(sealedKeyId(c.secretSealed), 'secrets');
      for (const b of tables.backupCodes.values()) if (b.usedAt === null) count(hashKeyId(b.codeHash), 'backupCodes');
      for (const { change, credential } of waitingCredentials(tables)) {
        count(sealedKeyId(credential.secretSealed), 'secrets');
        if ('backupCodeHashes' in change.payload) for (const hash of change.payload.backupCodeHashes) count(hashKeyId(hash), 'backupCodes');
      }
      for (const e of tables.emailCodes.values()) if (e.usedAt === null && later(e.expiresAt, now)) count(hashKeyId(e.codeHash), 'emailCodes');
      return [...usage.values()].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
    },
  };
}
