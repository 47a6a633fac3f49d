import { createHmac, randomBytes } from 'node:crypto';
import { hashPassword, symmetricEncrypt } from 'better-auth/crypto';
import type pg from 'pg';
import { CodePool } from '../../lib/code-pool.ts';
import { BENCH_PASSWORD } from '../../lib/twofold.ts';

/**
 * Bulk seeding of Better Auth's tables, shaped as its adapter writes them: a user with
 * `twoFactorEnabled`, a credential account (its scrypt hash, computed once and shared), a verified
 * `twoFactor` row (secret sealed with its own symmetricEncrypt), and pending sign-ins exactly as its
 * sign-in hook leaves them: a `2fa-…` verification row plus its `2fa-attempts-…` counter, reached by
 * the signed `better-auth.two_factor` cookie.
 */

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const CHALLENGE_LIFETIME_MS = 60 * 60 * 1000;
export const TWO_FACTOR_COOKIE = 'better-auth.two_factor';

function randomString(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[bytes[i]! % ALPHANUMERIC.length];
  return out;
}

/** better-call's signed cookie: `value.base64(HMAC-SHA-256(secret, value))`, URI-encoded. */
export function signCookieValue(value: string, secret: string): string {
  return encodeURIComponent(`${value}.${createHmac('sha256', secret).update(value).digest('base64')}`);
}

export interface BetterAuthUser {
  id: string;
  email: string;
  /** The TOTP secret: Better Auth uses the string's UTF-8 bytes as the HMAC key. */
  key: Buffer;
}

export class BetterAuthSeeder {
  #passwordHash: Promise<string> | undefined;

  constructor(
    readonly pool: pg.Pool,
    readonly secret: string,
  ) {}

  passwordHash(): Promise<string> {
    this.#passwordHash ??= hashPassword(BENCH_PASSWORD);
    return this.#passwordHash;
  }

  async users(count: number, prefix: string, batch = 5_000): Promise<BetterAuthUser[]> {
    const hash = await this.passwordHash();
    const backupCodes = await symmetricEncrypt({ key: this.secret, data: JSON.stringify(Array.from({ length: 10 }, () => randomString(10))) });
    const now = new Date();
    const out: BetterAuthUser[] = [];
    for (let from = 0; from < count; from += batch) {
      const chunk: Array<BetterAuthUser & { totpSecret: string; sealed: string }> = [];
      for (let i = from; i < Math.min(count, from + batch); i++) {
        const totpSecret = randomString(32);
        chunk.push({
          id: randomString(32),
          email: `${prefix}${i}@bench.invalid`,
          key: Buffer.from(totpSecret, 'utf8'),
          totpSecret,
          sealed: await symmetricEncrypt({ key: this.secret, data: totpSecret }),
        });
      }
      const ids = chunk.map((u) => u.id);
      await this.pool.query(
        `INSERT INTO "user" (id, name, email, "emailVerified", "createdAt", "updatedAt", "twoFactorEnabled")
         SELECT u.id, 'Bench User', u.email, true, $3, $3, true FROM unnest($1::text[], $2::text[]) AS u(id, email)`,
        [ids, chunk.map((u) => u.email), now],
      );
      await this.pool.query(
        `INSERT INTO account (id, "accountId", "providerId", "userId", password, "createdAt", "updatedAt")
         SELECT a.id, a.u, 'credential', a.u, $3, $4, $4 FROM unnest($1::text[], $2::text[]) AS a(id, u)`,
        [chunk.map(() => randomString(32)), ids, hash, now],
      );
      await this.pool.query(
        `INSERT INTO "twoFactor" (id, secret, "backupCodes", "userId", verified, "failedVerificationCount")
         SELECT t.id, t.sealed, $4, t.u, true, 0 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, sealed, u)`,
        [chunk.map(() => randomString(32)), chunk.map((u) => u.sealed), ids, backupCodes],
      );
      out.push(...chunk.map(({ id, email, key }) => ({ id, email, key })));
    }
    return out;
  }

  /** `perUser` pending two-factor sign-ins per user; returns the signed cookie values, per user. */
  async challenges(users: readonly Pick<BetterAuthUser, 'id'>[], perUser: number, batch = 5_000): Promise<string[][]> {
    const rows: Array<{ userIndex: number; identifier: string }> = [];
    users.forEach((_, userIndex) => {
      for (let k = 0; k < perUser; k++) rows.push({ userIndex, identifier: `2fa-${randomString(20)}` });
    });
    const now = new Date();
    const expires = new Date(now.getTime() + CHALLENGE_LIFETIME_MS);
    for (let from = 0; from < rows.length; from += batch) {
      const chunk = rows.slice(from, from + batch);
      const identifiers = chunk.flatMap((r) => [r.identifier, `2fa-attempts-${r.identifier}`]);
      const values = chunk.flatMap((r) => [users[r.userIndex]!.id, '0']);
      await this.pool.query(
        `INSERT INTO verification (id, identifier, value, "expiresAt", "createdAt", "updatedAt")
         SELECT v.id, v.identifier, v.value, $4, $5, $5 FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, identifier, value)`,
        [identifiers.map(() => randomString(32)), identifiers, values, expires, now],
      );
    }
    const cookies = users.map(() => [] as string[]);
    for (const row of rows) cookies[row.userIndex]!.push(signCookieValue(row.identifier, this.secret));
    return cookies;
  }

  /** As for twofold: statistics, then a checkpoint so the load is flushed before measuring. */
  async analyze(): Promise<void> {
    await this.pool.query('VACUUM ANALYZE');
    await this.pool.query('CHECKPOINT');
  }
}

export function betterAuthPool(users: readonly BetterAuthUser[], cookies: string[][]): CodePool<BetterAuthUser> {
  const pool = new CodePool<BetterAuthUser>();
  users.forEach((user, i) => pool.add(user.key, user, cookies[i] ?? []));
  return pool;
}

export async function topUpChallenges(seeder: BetterAuthSeeder, pool: CodePool<BetterAuthUser>, needed: number): Promise<void> {
  if (pool.ticketsLeft() >= needed) return;
  const perUser = Math.ceil((needed - pool.ticketsLeft()) / pool.users.length) + 1;
  const cookies = await seeder.challenges(
    pool.users.map((u) => u.data),
    perUser,
  );
  pool.users.forEach((user, i) => user.tickets.push(...cookies[i]!));
}
