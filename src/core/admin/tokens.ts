import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { hashToken } from '../crypto/hash.ts';
import { generateToken } from '../crypto/random.ts';
import { TwofoldError } from '../errors.ts';

/**
 * What an admin API token may do. Least privilege: an app backend that only introspects sessions gets
 * `sessions:introspect` and nothing that reads or changes accounts.
 * `roles:write` is reserved for setting users' roles (issue 19 item 1, another change): no call needs it yet.
 */
export const ADMIN_SCOPES = ['users:read', 'users:write', 'audit:read', 'sessions:introspect', 'webhooks:manage', 'roles:write'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

export interface AdminToken {
  id: string;
  name: string;
  scopes: AdminScope[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Storage port: tokens are known only by their SHA-256, like sessions. */
export interface AdminTokenStore {
  insert(token: AdminToken, tokenHash: Buffer): Promise<void>;
  /** The live (not revoked) token with this hash; expiry is judged by the caller. */
  findByHash(tokenHash: Buffer): Promise<AdminToken | null>;
  list(): Promise<AdminToken[]>;
  revoke(id: string, now: Date): Promise<boolean>;
  /** Records use at most once per `minIntervalMs` (reads must not all become writes). */
  touch(id: string, now: Date, minIntervalMs: number): Promise<void>;
}

/** Tokens carry a recognisable prefix, so secret scanners (and people) can tell one in a paste or a log. */
export const ADMIN_TOKEN_PREFIX = 'tfadm_';
const MAX_TOKEN_LENGTH = 256;
const TOUCH_INTERVAL_MS = 60_000;

export function parseScopes(raw: readonly string[]): AdminScope[] {
  const unknown = raw.filter((s) => !(ADMIN_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0 || raw.length === 0) {
    const choose = `choose from ${ADMIN_SCOPES.join(', ')}`;
    throw new TwofoldError('validation_failed', { scopes: choose, unknown }, `Unknown or missing scope (${unknown.join(', ') || 'none given'}): ${choose}.`);
  }
  return [...new Set(raw)] as AdminScope[];
}

export interface AdminTokenDeps {
  store: AdminTokenStore;
  clock: Clock;
}

/** A new token: the only moment its secret exists outside the operator's hands. */
export async function createAdminToken(deps: AdminTokenDeps, input: { name: string; scopes: readonly string[]; ttlSeconds?: number | null }) {
  const name = input.name.trim();
  if (name === '' || name.length > 100) throw new TwofoldError('validation_failed', { name: 'a name of 1 to 100 characters' });
  const now = deps.clock.now();
  const token: AdminToken = {
    id: randomUUID(),
    name,
    scopes: parseScopes(input.scopes),
    createdAt: now,
    expiresAt: input.ttlSeconds ? new Date(now.getTime() + input.ttlSeconds * 1000) : null,
    lastUsedAt: null,
    revokedAt: null,
  };
  const secret = `${ADMIN_TOKEN_PREFIX}${generateToken()}`;
  await deps.store.insert(token, hashToken(secret));
  return { token, secret };
}

/** The token behind a bearer secret, if it is live and has `scope`; else `admin_token_invalid` / `admin_scope_missing`. */
export async function authorizeAdminToken(deps: AdminTokenDeps, secret: string | undefined, scope: AdminScope): Promise<AdminToken> {
  if (!secret || secret.length > MAX_TOKEN_LENGTH || !secret.startsWith(ADMIN_TOKEN_PREFIX)) throw new TwofoldError('admin_token_invalid');
  const token = await deps.store.findByHash(hashToken(secret));
  const now = deps.clock.now();
  if (!token || (token.expiresAt && token.expiresAt <= now)) throw new TwofoldError('admin_token_invalid');
  if (!token.scopes.includes(scope)) throw new TwofoldError('admin_scope_missing', { needs: scope });
  await deps.store.touch(token.id, now, TOUCH_INTERVAL_MS);
  return token;
}
