import type { TotpStore } from '../../core/factors/totp-store.ts';
import { deleteWhere, type MemoryTables, uniqueViolation } from './tables.ts';

export function createMemoryTotpStore(tables: MemoryTables): TotpStore {
  const { totp } = tables;
  const ofUser = (userId: string) => [...totp.values()].filter((c) => c.userId === userId);
  return {
    async findById(id) {
      const row = totp.get(id);
      return row ? { ...row, params: { ...row.params } } : null;
    },
    async insertUnconfirmed(credential) {
      tables.requireUser(credential.userId);
      if (totp.has(credential.id)) throw uniqueViolation('totp_credentials_pkey');
      for (const other of ofUser(credential.userId)) if (other.state !== 'active') tables.deleteCredential(other.id);
      totp.set(credential.id, { ...credential, params: { ...credential.params } });
    },
    async removeAll(userId) {
      deleteWhere(tables.backupCodes, (b) => b.userId === userId);
      const credentials = ofUser(userId);
      for (const credential of credentials) tables.deleteCredential(credential.id);
      return credentials.length;
    },
  };
}
