import type { TrustedDevice, TrustedDeviceStore } from '../../core/devices/store.ts';
import { hex, later, type DeviceRow, type MemoryTables, uniqueViolation } from './tables.ts';

function deviceOfRow(row: DeviceRow): TrustedDevice {
  const { id, userId, label, createdAt, expiresAt, lastUsedAt } = row;
  return { id, userId, label, createdAt, expiresAt, lastUsedAt };
}

/** Writes a remembered device (also what an accepted answer does, in the same call). */
export function insertDevice(tables: MemoryTables, device: TrustedDevice, tokenHash: Buffer): void {
  tables.requireUser(device.userId);
  assertNewDevice(tables, device, tokenHash);
  tables.devices.set(device.id, { ...device, tokenHash: hex(tokenHash), revokedAt: null });
}

/** Device ids and token hashes are unique. */
export function assertNewDevice(tables: MemoryTables, device: TrustedDevice, tokenHash: Buffer): void {
  const token = hex(tokenHash);
  if (tables.devices.has(device.id)) throw uniqueViolation('trusted_devices_pkey');
  if ([...tables.devices.values()].some((d) => d.tokenHash === token)) throw uniqueViolation('trusted_devices_token_hash_key');
}

export function createMemoryTrustedDeviceStore(tables: MemoryTables): TrustedDeviceStore {
  const { devices } = tables;
  const liveFor = (userId: string, now: Date) => [...devices.values()].filter((d) => d.userId === userId && d.revokedAt === null && later(d.expiresAt, now));
  const byToken = (tokenHash: Buffer, userId: string, now: Date) => liveFor(userId, now).find((d) => d.tokenHash === hex(tokenHash));
  return {
    async insert(device, tokenHash) {
      insertDevice(tables, device, tokenHash);
    },
    async use(tokenHash, userId, now) {
      const row = byToken(tokenHash, userId, now);
      if (!row) return null;
      row.lastUsedAt = now;
      return deviceOfRow(row);
    },
    async find(tokenHash, userId, now) {
      const row = byToken(tokenHash, userId, now);
      return row ? deviceOfRow(row) : null;
    },
    async listForUser(userId, now) {
      return liveFor(userId, now)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map(deviceOfRow);
    },
    async revoke(id, userId, now) {
      const row = devices.get(id);
      if (!row || row.userId !== userId || row.revokedAt !== null) return false;
      row.revokedAt = now;
      return true;
    },
    async revokeAllForUser(userId, now) {
      const live = liveFor(userId, now);
      for (const row of live) row.revokedAt = now;
      return live.length;
    },
  };
}
