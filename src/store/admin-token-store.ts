import type { AdminScope, AdminToken, AdminTokenStore } from '../core/admin/tokens.ts';
import type { Queryable } from './db.ts';

interface TokenRow {
  id: string;
  name: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, scopes, created_at, expires_at, last_used_at, revoked_at';

const toToken = (row: TokenRow): AdminToken => ({
  id: row.id,
  name: row.name,
  scopes: row.scopes as AdminScope[],
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export function createAdminTokenStore(db: Queryable): AdminTokenStore {
  return {
    async insert(token, tokenHash) {
      await db.query('INSERT INTO admin_tokens (id, name, token_hash, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4::text[], $5, $6)', [
        token.id,
        token.name,
        tokenHash,
        token.scopes,
        token.createdAt,
        token.expiresAt,
      ]);
    },
    async findByHash(tokenHash) {
      const rows = await db.query<TokenRow>(`SELECT ${COLUMNS} FROM admin_tokens WHERE token_hash = $1 AND revoked_at IS NULL`, [tokenHash]);
      return rows[0] ? toToken(rows[0]) : null;
    },
    async list() {
      return (await db.query<TokenRow>(`SELECT ${COLUMNS} FROM admin_tokens ORDER BY created_at, id`)).map(toToken);
    },
    async revoke(id, now) {
      return (await db.query('UPDATE admin_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id', [id, now])).length === 1;
    },
    async touch(id, now, minIntervalMs) {
      await db.query('UPDATE admin_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)', [
        id,
        now,
        new Date(now.getTime() - minIntervalMs),
      ]);
    },
  };
}
