import type { TotpCredential, TotpStore, BackupCodeStore, QrLinkStore } from '../core/factors/totp-store.ts';
import type { OtpAlgorithm } from '../core/otp/hotp.ts';
import type { Db } from './db.ts';
import { randomUUID } from 'node:crypto';

interface TotpRow {
  id: string;
  user_id: string;
  state: TotpCredential['state'];
  secret_sealed: string;
  algorithm: OtpAlgorithm;
  digits: number;
  period_seconds: number;
  last_used_step: number | null;
  created_at: Date;
  activated_at: Date | null;
}

function toCredential(row: TotpRow): TotpCredential {
  return {
    id: row.id,
    userId: row.user_id,
    state: row.state,
    secretSealed: row.secret_sealed,
    params: { algorithm: row.algorithm, digits: row.digits, periodSeconds: row.period_seconds },
    lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
    createdAt: row.created_at,
    activatedAt: row.activated_at,
  };
}

const one = (rows: TotpRow[]) => (rows[0] ? toCredential(rows[0]) : null);

export function createTotpStore(db: Db): TotpStore {
  return {
    async findById(id) {
      return one(await db.query<TotpRow>('SELECT * FROM totp_credentials WHERE id = $1', [id]));
    },
    async insertUnconfirmed(c) {
      await db.transaction(async (tx) => {
        await tx.query(`DELETE FROM totp_credentials WHERE user_id = $1 AND state <> 'active'`, [c.userId]);
        await tx.query(
          `INSERT INTO totp_credentials (id, user_id, state, secret_sealed, algorithm, digits, period_seconds, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [c.id, c.userId, c.state, c.secretSealed, c.params.algorithm, c.params.digits, c.params.periodSeconds, c.createdAt],
        );
      });
    },
    async removeAll(userId) {
      return db.transaction(async (tx) => {
        await tx.query('DELETE FROM backup_codes WHERE user_id = $1', [userId]);
        return (await tx.query('DELETE FROM totp_credentials WHERE user_id = $1 RETURNING id', [userId])).length;
      });
    },
  };
}

export async function replaceBackupCodes(tx: Pick<Db, 'query'>, userId: string, hashes: string[], now: Date): Promise<void> {
  await tx.query('DELETE FROM backup_codes WHERE user_id = $1', [userId]);
  if (hashes.length === 0) return;
  await tx.query(
    `INSERT INTO backup_codes (id, user_id, code_hash, created_at)
     SELECT id, $2, code_hash, $3 FROM unnest($1::text[], $4::uuid[]) AS t(code_hash, id)`,
    [hashes, userId, now, hashes.map(() => randomUUID())],
  );
}

export function createBackupCodeStore(db: Db): BackupCodeStore {
  return {
    replace(userId, hashes, now) {
      return db.transaction((tx) => replaceBackupCodes(tx, userId, hashes, now));
    },
    async countUnused(userId) {
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM backup_codes WHERE user_id = $1 AND used_at IS NULL', [userId]);
      return rows[0]?.n ?? 0;
    },
  };
}

export function createQrLinkStore(db: Db): QrLinkStore {
  return {
    async insert(row) {
      await db.query('INSERT INTO qr_links (id_hash, credential_id, expires_at) VALUES ($1, $2, $3)', [row.idHash, row.credentialId, row.expiresAt]);
    },
    async find(idHash, now) {
      const rows = await db.query<{ credential_id: string }>('SELECT credential_id FROM qr_links WHERE id_hash = $1 AND expires_at > $2', [idHash, now]);
      return rows[0]?.credential_id ?? null;
    },
  };
}
