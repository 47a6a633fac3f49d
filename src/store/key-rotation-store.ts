import type { KeyRotationStore, SealedSecret } from '../core/keys/rotation.ts';
import type { Queryable } from './db.ts';

/**
 * Ciphertexts read `v1.<keyId>.…`, peppered hashes `<keyId>$…`. A new authenticator the veto window holds keeps its
 * sealed secret and backup-code hashes in its pending factor change (migration 0016's payload): they count, and the
 * secret is re-encrypted, like those in place.
 */
export function createKeyRotationStore(db: Queryable): KeyRotationStore {
  return {
    async listNotUnder(activeKeyId, limit) {
      return db.query<SealedSecret>(
        `SELECT kind, id, sealed FROM (
           SELECT 'totp' AS kind, id::text AS id, secret_sealed AS sealed FROM totp_credentials
           UNION ALL SELECT 'pending-totp', payload->>'credentialId', payload->>'secretSealed' FROM factor_changes
                      WHERE status = 'pending' AND payload ? 'secretSealed'
           UNION ALL SELECT 'webhook', id::text, secret_sealed FROM webhook_endpoints WHERE removed_at IS NULL
         ) s WHERE split_part(sealed, '.', 2) <> $1 ORDER BY kind, id LIMIT $2`,
        [activeKeyId, limit],
      );
    },
    async replaceSealed({ kind, id }, expected, replacement) {
      if (kind === 'pending-totp') {
        // Applied or vetoed meanwhile: the secret moved (or went); a rerun finds it where it is now.
        const rows = await db.query(
          `UPDATE factor_changes SET payload = jsonb_set(payload, '{secretSealed}', to_jsonb($3::text))
            WHERE status = 'pending' AND payload->>'credentialId' = $1 AND payload->>'secretSealed' = $2 RETURNING id`,
          [id, expected, replacement],
        );
        return rows.length === 1;
      }
      const table = kind === 'totp' ? 'totp_credentials' : 'webhook_endpoints';
      const rows = await db.query(`UPDATE ${table} SET secret_sealed = $3 WHERE id = $1 AND secret_sealed = $2 RETURNING id`, [id, expected, replacement]);
      return rows.length === 1;
    },
    async usage(now) {
      return db.query<{ keyId: string; secrets: number; backupCodes: number; emailCodes: number }>(
        `SELECT key_id AS "keyId", sum(secrets)::int AS secrets, sum(backup_codes)::int AS "backupCodes", sum(email_codes)::int AS "emailCodes" FROM (
           SELECT split_part(secret_sealed, '.', 2) AS key_id, 1 AS secrets, 0 AS backup_codes, 0 AS email_codes FROM totp_credentials
           UNION ALL SELECT split_part(code_hash, '$', 1), 0, 1, 0 FROM backup_codes WHERE used_at IS NULL
           UNION ALL SELECT split_part(secret_sealed, '.', 2), 1, 0, 0 FROM webhook_endpoints WHERE removed_at IS NULL
           UNION ALL SELECT split_part(payload->>'secretSealed', '.', 2), 1, 0, 0 FROM factor_changes WHERE status = 'pending' AND payload ? 'secretSealed'
           UNION ALL SELECT split_part(h, '$', 1), 0, 1, 0 FROM factor_changes, jsonb_array_elements_text(payload->'backupCodeHashes') h
                      WHERE status = 'pending' AND jsonb_typeof(payload->'backupCodeHashes') = 'array'
           UNION ALL SELECT split_part(code_hash, '$', 1), 0, 0, 1 FROM email_codes WHERE used_at IS NULL AND expires_at > $1
         ) t GROUP BY key_id ORDER BY key_id`,
        [now],
      );
    },
  };
}
