import type { FactorChangePayload, FactorChangeRecord, FactorChangeStore, NewFactorChange } from '../core/factor-changes/store.ts';
import { changeTarget } from '../core/factor-changes/store.ts';
import type { Db, Queryable } from './db.ts';
import { isUniqueViolation } from './db-errors.ts';
import { replaceBackupCodes } from './totp-store.ts';

interface ChangeRow {
  id: string;
  user_id: string;
  kind: FactorChangeRecord['kind'];
  session_id: string | null;
  requested_at: Date;
  apply_at: Date;
  status: FactorChangeRecord['status'];
  settled_at: Date | null;
  key_name: string | null;
}

const COLUMNS = "id, user_id, kind, session_id, requested_at, apply_at, status, settled_at, payload->>'name' AS key_name";
/** What a settled change's payload drops (jsonb `-` with a text array): a vetoed authenticator's secret is gone for good. */
const SETTLED_DROPS = "'{secretSealed,backupCodeHashes}'::text[]";

function toRecord(row: ChangeRow): FactorChangeRecord {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    sessionId: row.session_id,
    requestedAt: row.requested_at,
    applyAt: row.apply_at,
    status: row.status,
    settledAt: row.settled_at,
    keyName: row.kind === 'passkey-add' ? row.key_name : null,
  };
}

/** The payload as stored: a key's public key as base64; a new authenticator's part is moved in by SQL. */
function storedPayload(payload: FactorChangePayload): Record<string, unknown> {
  if ('appliedAlready' in payload) return {};
  switch (payload.kind) {
    case 'passkey-add': {
      const { publicKey, createdAt, lastUsedAt: _l, ...key } = payload.key;
      return { ...key, publicKey: Buffer.from(publicKey).toString('base64'), createdAt: createdAt.toISOString() };
    }
    case 'passkey-remove':
      return { keyId: payload.keyId };
    case 'totp-enable':
    case 'totp-replace':
      return { backupCodeHashes: payload.backupCodeHashes };
    default:
      return {};
  }
}

/** Migration 0016: changes held by the veto window, applied by whichever instance claims them first. */
export function createFactorChangeStore(db: Db): FactorChangeStore {
  return {
    async insert(c: NewFactorChange) {
      const params = [c.id, c.userId, c.payload.kind, changeTarget(c.payload, c.id), JSON.stringify(storedPayload(c.payload)), c.sessionId, c.requestedAt, c.applyAt, c.status, c.vetoTokenHash, c.vetoUntil];
      const moving = !('appliedAlready' in c.payload) && (c.payload.kind === 'totp-enable' || c.payload.kind === 'totp-replace') ? c.payload.credentialId : null;
      try {
        if (!moving) {
          await db.query(
            `INSERT INTO factor_changes (id, user_id, kind, target, payload, session_id, requested_at, apply_at, status, settled_at, veto_token_hash, veto_until)
             VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, CASE WHEN $9 = 'applied' THEN $7::timestamptz END, $10, $11)`,
            params,
          );
          return 'recorded';
        }
        // The waiting authenticator leaves the user's credentials (its QR link and enrolment go with it) and its sealed
        // secret, bound to its id, moves into the change: one statement, so it is in one place or the other.
        const rows = await db.query(
          `WITH moved AS (DELETE FROM totp_credentials WHERE id = $12 AND user_id = $2 AND state <> 'active' RETURNING *)
           INSERT INTO factor_changes (id, user_id, kind, target, payload, session_id, requested_at, apply_at, status, veto_token_hash, veto_until)
           SELECT $1, $2, $3, $4, $5::jsonb || jsonb_build_object('credentialId', m.id, 'secretSealed', m.secret_sealed, 'algorithm', m.algorithm,
                  'digits', m.digits, 'periodSeconds', m.period_seconds, 'lastUsedStep', m.last_used_step), $6, $7, $8, $9, $10, $11
             FROM moved m RETURNING id`,
          [...params, moving],
        );
        return rows.length === 1 ? 'recorded' : 'credential-gone';
      } catch (error) {
        if (isUniqueViolation(error)) return 'duplicate';
        throw error;
      }
    },
    async applyDue(now, options) {
      const done: FactorChangeRecord[] = [];
      while (done.length < options.limit) {
        // One change per transaction: a change that cannot be made fails alone, and a lock is held only briefly.
        const row = await db.transaction(async (tx) => {
          const [change] = await tx.query<ChangeRow & { payload: Record<string, unknown> }>(
            `SELECT ${COLUMNS}, payload FROM factor_changes
              WHERE status = 'pending' AND apply_at <= $1 AND ($2::uuid IS NULL OR user_id = $2)
              ORDER BY apply_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
            [now, options.userId ?? null],
          );
          if (!change) return null;
          const made = await applyOne(tx, change, now);
          // A settled change keeps no secret: the authenticator's sealed key now lives in totp_credentials (or nowhere).
          const [settled] = await tx.query<ChangeRow>(`UPDATE factor_changes SET status = $2, settled_at = $3, payload = payload - ${SETTLED_DROPS} WHERE id = $1 RETURNING ${COLUMNS}`, [
            change.id,
            made ? 'applied' : 'failed',
            now,
          ]);
          return settled!;
        });
        if (!row) break;
        done.push(toRecord(row));
      }
      return done;
    },
    async listPending(userId) {
      const rows = await db.query<ChangeRow>(`SELECT ${COLUMNS} FROM factor_changes WHERE user_id = $1 AND status = 'pending' ORDER BY apply_at, id`, [userId]);
      return rows.map(toRecord);
    },
    async veto(tokenHash, now) {
      return db.transaction(async (tx) => {
        const [spent] = await tx.query<{ user_id: string }>(
          `UPDATE factor_changes SET veto_used_at = $2 WHERE veto_token_hash = $1 AND veto_used_at IS NULL AND veto_until > $2 RETURNING user_id`,
          [tokenHash, now],
        );
        if (!spent) return null;
        // A change being applied right now holds its row: this waits for it, then finds it applied and leaves it.
        const vetoed = await tx.query<ChangeRow>(
          `UPDATE factor_changes SET status = 'vetoed', settled_at = $2, payload = payload - ${SETTLED_DROPS} WHERE user_id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
          [spent.user_id, now],
        );
        await tx.query('UPDATE users SET locked_by_owner_at = coalesce(locked_by_owner_at, $2), updated_at = $2 WHERE id = $1', [spent.user_id, now]);
        return { userId: spent.user_id, vetoed: vetoed.map(toRecord) };
      });
    },
    async unlock(userId, now) {
      const rows = await db.query('UPDATE users SET locked_by_owner_at = NULL, updated_at = $2 WHERE id = $1 RETURNING 1', [userId, now]);
      return rows.length === 1;
    },
  };
}

/** Makes one change; false when it cannot be made any more (a key registered meanwhile, by this user or another). */
async function applyOne(tx: Queryable, change: ChangeRow & { payload: Record<string, unknown> }, now: Date): Promise<boolean> {
  const p = change.payload;
  switch (change.kind) {
    case 'totp-enable':
    case 'totp-replace':
      await tx.query(`DELETE FROM totp_credentials WHERE user_id = $1 AND (state = 'active' OR id = $2)`, [change.user_id, p.credentialId]);
      await tx.query(
        `INSERT INTO totp_credentials (id, user_id, state, secret_sealed, algorithm, digits, period_seconds, last_used_step, created_at, activated_at)
         VALUES ($1, $2, 'active', $3, $4, $5, $6, $7, $8, $8)`,
        [p.credentialId, change.user_id, p.secretSealed, p.algorithm, p.digits, p.periodSeconds, p.lastUsedStep ?? null, now],
      );
      await replaceBackupCodes(tx, change.user_id, p.backupCodeHashes as string[], now);
      return true;
    case 'totp-disable':
      await tx.query('DELETE FROM backup_codes WHERE user_id = $1', [change.user_id]);
      await tx.query('DELETE FROM totp_credentials WHERE user_id = $1', [change.user_id]);
      return true;
    case 'email-enable':
    case 'email-disable':
      await tx.query(
        `UPDATE users SET email_2fa_enabled_at = CASE WHEN $3 THEN coalesce(email_2fa_enabled_at, $2) END, updated_at = $2 WHERE id = $1`,
        [change.user_id, now, change.kind === 'email-enable'],
      );
      return true;
    case 'passkey-add': {
      const rows = await tx.query(
        `INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, counter, transports, device_type, backed_up, name, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL) ON CONFLICT DO NOTHING RETURNING 1`,
        [p.id, change.user_id, p.credentialId, Buffer.from(p.publicKey as string, 'base64'), p.counter, p.transports, p.deviceType, p.backedUp, p.name, now],
      );
      return rows.length === 1;
    }
    case 'passkey-remove':
      await tx.query('DELETE FROM webauthn_credentials WHERE id = $1 AND user_id = $2', [p.keyId, change.user_id]);
      return true;
  }
}
