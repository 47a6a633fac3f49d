import type { QrLinkStore } from '../../core/factors/totp-store.ts';
import { hex, insertUnique, later, type MemoryTables } from './tables.ts';

export function createMemoryQrLinkStore(tables: MemoryTables): QrLinkStore {
  return {
    async insert(row) {
      if (!tables.totp.has(row.credentialId)) throw Object.assign(new Error('no such credential'), { code: '23503' });
      insertUnique(tables.qrLinks, hex(row.idHash), { credentialId: row.credentialId, expiresAt: row.expiresAt }, 'qr_links_pkey');
    },
    async find(idHash, now) {
      const row = tables.qrLinks.get(hex(idHash));
      return row && later(row.expiresAt, now) ? row.credentialId : null;
    },
  };
}
