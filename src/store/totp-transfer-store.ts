import type { TotpTransferStore } from '../core/admin/totp-transfer.ts';
import type { TotpCredential } from '../core/factors/totp-store.ts';
import type { Queryable } from './db.ts';
import { toUserRecord, type UserRow } from './user-store.ts';

interface CredentialColumns {
  c_id: string;
  c_secret_sealed: string;
  c_algorithm: TotpCredential['params']['algorithm'];
  c_digits: number;
  c_period_seconds: number;
  c_last_used_step: string | null;
  c_created_at: Date;
  c_activated_at: Date | null;
}

export function createTotpTransferStore(db: Queryable): TotpTransferStore {
  return {
    async insertActive(c) {
      // The unique index of one active credential per user (migration 0002) decides a race: one insert wins.
      const rows = await db.query(
        `INSERT INTO totp_credentials (id, user_id, state, secret_sealed, algorithm, digits, period_seconds, created_at, activated_at)
         SELECT $1, $2, 'active', $3, $4, $5, $6, $7, $7
          WHERE NOT EXISTS (SELECT 1 FROM totp_credentials WHERE user_id = $2 AND state = 'active')
         ON CONFLICT DO NOTHING RETURNING id`,
        [c.id, c.userId, c.secretSealed, c.params.algorithm, c.params.digits, c.params.periodSeconds, c.createdAt],
      );
      return rows.length === 1;
    },
    async listActive() {
      const rows = await db.query<UserRow & CredentialColumns>(
        `SELECT u.*, c.id AS c_id, c.secret_sealed AS c_secret_sealed, c.algorithm AS c_algorithm, c.digits AS c_digits,
                c.period_seconds AS c_period_seconds, c.last_used_step AS c_last_used_step, c.created_at AS c_created_at,
                c.activated_at AS c_activated_at
           FROM totp_credentials c JOIN users u ON u.id = c.user_id WHERE c.state = 'active' ORDER BY u.created_at, u.id`,
      );
      return rows.map((row) => ({
        user: toUserRecord(row),
        credential: {
          id: row.c_id,
          userId: row.id,
          state: 'active' as const,
          secretSealed: row.c_secret_sealed,
          params: { algorithm: row.c_algorithm, digits: row.c_digits, periodSeconds: row.c_period_seconds },
          lastUsedStep: row.c_last_used_step === null ? null : Number(row.c_last_used_step),
          createdAt: row.c_created_at,
          activatedAt: row.c_activated_at,
        },
      }));
    },
    async hasActive(userId) {
      return (await db.query("SELECT 1 FROM totp_credentials WHERE user_id = $1 AND state = 'active'", [userId])).length > 0;
    },
  };
}
