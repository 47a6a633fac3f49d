import { randomBytes, randomUUID } from 'node:crypto';
import { createKeyRing, parseKeySpecs } from '../../src/core/crypto/keyring.ts';
import type { Queryable } from '../../src/store/index.ts';
import { TEST_KEYS } from './server.ts';

// Sealed as the server seals it: other tests (key rotation) decrypt every secret in the shared database.
const keyRing = createKeyRing(parseKeySpecs(TEST_KEYS));

/**
 * One row in each table the purge knows (src/store/purge.ts `EXPIRING`), for one user, expiring at a given moment,
 * shaped as the stores write them. Returns each row's key, to look it up afterwards.
 */
export const SEED_EXPIRING: Record<string, (db: Queryable, userId: string, expiresAt: Date) => Promise<unknown>> = {
  sessions: (db, userId, at) =>
    insert(db, `INSERT INTO sessions (id, user_id, token_hash, client, created_at, last_seen_at, password_at, expires_at) VALUES ($1, $2, $3, 'rest', $4, $4, $4, $5) RETURNING id AS key`, [randomUUID(), userId, randomBytes(32), before(at), at]),
  login_transactions: (db, userId, at) =>
    insert(db, `INSERT INTO login_transactions (id_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, 'login', $3, $4) RETURNING id_hash AS key`, [randomBytes(32), userId, before(at), at]),
  // One live (unused) email code per user: each code gets a user of its own.
  email_codes: async (db, _userId, at) =>
    insert(db, `INSERT INTO email_codes (id, user_id, code_hash, created_at, live_since, expires_at) VALUES ($1, $2, 'x', $3, $3, $4) RETURNING id AS key`, [randomUUID(), await seedUser(db), before(at), at]),
  trusted_devices: (db, userId, at) =>
    insert(db, `INSERT INTO trusted_devices (id, user_id, token_hash, label, created_at, expires_at) VALUES ($1, $2, $3, 'test', $4, $5) RETURNING id AS key`, [randomUUID(), userId, randomBytes(32), before(at), at]),
  webauthn_challenges: (db, userId, at) =>
    insert(db, `INSERT INTO webauthn_challenges (challenge_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, 'login', $3, $4) RETURNING challenge_hash AS key`, [randomBytes(32), userId, before(at), at]),
  // A QR link belongs to a pending authenticator, one per user: each link gets a user of its own.
  qr_links: async (db, _userId, at) => {
    const credential = randomUUID();
    await db.query(
      `INSERT INTO totp_credentials (id, user_id, state, secret_sealed, algorithm, digits, period_seconds, created_at) VALUES ($1, $2, 'pending', $3, 'SHA1', 6, 30, $4)`,
      [credential, await seedUser(db), keyRing.encrypt(randomBytes(20), `totp:${credential}`), before(at)],
    );
    return insert(db, `INSERT INTO qr_links (id_hash, credential_id, expires_at) VALUES ($1, $2, $3) RETURNING id_hash AS key`, [randomBytes(32), credential, at]);
  },
  email_verifications: (db, userId, at) =>
    insert(db, `INSERT INTO email_verifications (token_hash, user_id, email_normalized, created_at, expires_at) VALUES ($1, $2, 'x@example.test', $3, $4) RETURNING token_hash AS key`, [randomBytes(32), userId, before(at), at]),
  password_resets: (db, userId, at) =>
    insert(db, `INSERT INTO password_resets (token_hash, user_id, email_normalized, created_at, expires_at) VALUES ($1, $2, 'x@example.test', $3, $4) RETURNING token_hash AS key`, [randomBytes(32), userId, before(at), at]),
  // A counter's "expiry" is its window start plus a day (see EXPIRING).
  rate_limits: (db, _userId, at) =>
    insert(db, `INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) RETURNING key`, [`test:${randomUUID()}`, new Date(at.getTime() - 86_400_000)]),
  // A settled factor change: of use until its veto link's deadline (later than when it settled).
  factor_changes: (db, userId, at) => factorChange(db, userId, 'applied', at),
};

/** A factor change row (migration 0016) whose veto link works until `vetoUntil`; settled an hour before it unless pending. */
export function factorChange(db: Queryable, userId: string, status: 'pending' | 'applied' | 'vetoed', vetoUntil: Date): Promise<unknown> {
  const settledAt = status === 'pending' ? null : new Date(vetoUntil.getTime() - 3_600_000);
  return insert(
    db,
    `INSERT INTO factor_changes (id, user_id, kind, target, session_id, requested_at, apply_at, status, settled_at, veto_token_hash, veto_until)
     VALUES ($1, $2, 'email-enable', $3, NULL, $4, $4, $5, $6, $7, $8) RETURNING id AS key`,
    [randomUUID(), userId, status === 'pending' ? 'email' : `applied:${randomUUID()}`, new Date(vetoUntil.getTime() - 7_200_000), status, settledAt, randomBytes(32), vetoUntil],
  );
}

/** The key column of each table, to find a seeded row again. */
export const KEY_COLUMN: Record<string, string> = {
  sessions: 'id',
  login_transactions: 'id_hash',
  email_codes: 'id',
  trusted_devices: 'id',
  webauthn_challenges: 'challenge_hash',
  qr_links: 'id_hash',
  email_verifications: 'token_hash',
  password_resets: 'token_hash',
  rate_limits: 'key',
  factor_changes: 'id',
};

/** A bare user row (several credentials may hang off it: these are not the core's rules, just rows). */
export async function seedUser(db: Queryable): Promise<string> {
  const id = randomUUID();
  const email = `purge.${id}@example.test`;
  await db.query(`INSERT INTO users (id, email, email_normalized, password_hash, created_at, updated_at) VALUES ($1, $2, $2, 'x', now(), now())`, [id, email]);
  return id;
}

export async function rowExists(db: Queryable, table: string, key: unknown): Promise<boolean> {
  const rows = await db.query(`SELECT 1 FROM ${table} WHERE ${KEY_COLUMN[table]} = $1`, [key]);
  return rows.length === 1;
}

function before(at: Date): Date {
  return new Date(at.getTime() - 60_000);
}

async function insert(db: Queryable, sql: string, params: unknown[]): Promise<unknown> {
  const [row] = await db.query<{ key: unknown }>(sql, params);
  return row!.key;
}
