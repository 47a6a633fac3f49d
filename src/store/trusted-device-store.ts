import type { TrustedDevice, TrustedDeviceStore } from '../core/devices/store.ts';
import type { Queryable } from './db.ts';

interface DeviceRow {
  id: string;
  user_id: string;
  label: string;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
}

const COLUMNS = 'id, user_id, label, created_at, expires_at, last_used_at';

function toDevice(row: DeviceRow): TrustedDevice {
  return { id: row.id, userId: row.user_id, label: row.label, createdAt: row.created_at, expiresAt: row.expires_at, lastUsedAt: row.last_used_at };
}

export function createTrustedDeviceStore(db: Queryable): TrustedDeviceStore {
  return {
    async insert(d, tokenHash) {
      await db.query(
        `INSERT INTO trusted_devices (id, user_id, token_hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [d.id, d.userId, tokenHash, d.label, d.createdAt, d.expiresAt],
      );
    },
    async use(tokenHash, userId, now) {
      // One statement: the token must be this user's and live at this instant.
      const rows = await db.query<DeviceRow>(
        `UPDATE trusted_devices SET last_used_at = $3
         WHERE token_hash = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3 RETURNING ${COLUMNS}`,
        [tokenHash, userId, now],
      );
      return rows[0] ? toDevice(rows[0]) : null;
    },
    async find(tokenHash, userId, now) {
      const rows = await db.query<DeviceRow>(
        `SELECT ${COLUMNS} FROM trusted_devices WHERE token_hash = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3`,
        [tokenHash, userId, now],
      );
      return rows[0] ? toDevice(rows[0]) : null;
    },
    async listForUser(userId, now) {
      const rows = await db.query<DeviceRow>(
        `SELECT ${COLUMNS} FROM trusted_devices WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id`,
        [userId, now],
      );
      return rows.map(toDevice);
    },
    async revoke(id, userId, now) {
      const rows = await db.query('UPDATE trusted_devices SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING 1', [id, userId, now]);
      return rows.length === 1;
    },
    async revokeAllForUser(userId, now) {
      const rows = await db.query(
        'UPDATE trusted_devices SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING 1',
        [userId, now],
      );
      return rows.length;
    },
  };
}
