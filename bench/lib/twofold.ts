import { randomBytes, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { createKeyRing, parseKeySpecs, type KeyRing } from '../../src/core/crypto/keyring.ts';
import { hashToken } from '../../src/core/crypto/hash.ts';
import { hashPasswordDigest, passwordDigest } from '../../src/core/password.ts';
import { CodePool } from './code-pool.ts';
import { freePort, READY_TIMEOUT_MS, ROOT, spawnServer, type ServerProcess } from './process.ts';

/**
 * twofold under test: `node bin/twofold.js serve` (the compiled dist/, built by bench/run.ts) on its own database, and the bulk seeding that gives
 * it many users with an active authenticator and pending login transactions. Rows are written in bulk
 * with SQL (unnest of arrays), shaped exactly as the stores write them (src/store/*-store.ts).
 */

export const BENCH_PASSWORD = 'correct horse battery staple';
/** The seeded transactions live longer than the server's 5 minutes, so a long run never finds them expired. */
const TRANSACTION_LIFETIME_MS = 60 * 60 * 1000;

export function newKeySpec(): string {
  return `bench:${randomBytes(32).toString('base64')}`;
}

export interface TwofoldOptions {
  databaseUrl?: string;
  keySpec?: string;
  workers?: number;
  /** Extra environment (DATA_DIR for the embedded default, ...). */
  env?: Record<string, string | undefined>;
  readyTimeoutMs?: number;
  /** Flags for node itself (`--cpu-prof`, which NODE_OPTIONS does not allow). */
  nodeArgs?: string[];
  /** The entry: the compiled `bin/twofold.js` (production, the default) or `scripts/twofold-dev.js` (the sources through tsx). */
  entry?: string;
}

/** The two ways to run twofold: what production runs, and the sources through the tsx loader (what bin/twofold.js did before dist/). */
export const ENTRIES = { compiled: 'bin/twofold.js', tsx: 'scripts/twofold-dev.js' } as const;

export async function startTwofold(options: TwofoldOptions): Promise<ServerProcess & { readyMs: number }> {
  const port = await freePort();
  const workers = options.workers ?? 1;
  return spawnServer({
    name: 'twofold',
    args: [...(options.nodeArgs ?? []), options.entry ?? ENTRIES.compiled, 'serve', '--workers', String(workers)],
    port,
    readyPath: '/readyz',
    readyTimeoutMs: options.readyTimeoutMs ?? READY_TIMEOUT_MS,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMITS: 'false',
      NODE_ENV: 'production',
      WORKERS: String(workers),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'twofold-bench-')),
      DATABASE_URL: options.databaseUrl,
      TWOFOLD_SECRET_KEYS: options.keySpec,
      ...options.env,
    },
  });
}

/** Applies twofold's migrations to a fresh database (`twofold migrate`). */
export async function migrateTwofold(databaseUrl: string): Promise<void> {
  const child = spawn(process.execPath, ['bin/twofold.js', 'migrate'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, TWOFOLD_SECRET_KEYS: newKeySpec(), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`twofold migrate failed (${code}): ${stderr}`);
}

export interface SeededUser {
  id: string;
  email: string;
  credentialId: string;
  key: Buffer;
}

export class TwofoldSeeder {
  readonly keyRing: KeyRing;
  #passwordHash: Promise<string> | undefined;

  constructor(
    readonly pool: pg.Pool,
    keySpec: string,
  ) {
    this.keyRing = createKeyRing(parseKeySpecs(keySpec));
  }

  /** One argon2id hash (the server's parameters) shared by every seeded user. */
  passwordHash(): Promise<string> {
    this.#passwordHash ??= hashPasswordDigest(passwordDigest(BENCH_PASSWORD));
    return this.#passwordHash;
  }

  /** Users with a verified email and, unless `totp` is false, an active SHA-1/6/30 authenticator. */
  async users(count: number, prefix: string, totp = true, batch = 5_000): Promise<SeededUser[]> {
    const hash = await this.passwordHash();
    const now = new Date();
    const out: SeededUser[] = [];
    for (let from = 0; from < count; from += batch) {
      const chunk: SeededUser[] = [];
      for (let i = from; i < Math.min(count, from + batch); i++) {
        chunk.push({ id: randomUUID(), email: `${prefix}${i}@bench.invalid`, credentialId: randomUUID(), key: randomBytes(20) });
      }
      await this.pool.query(
        `INSERT INTO users (id, email, email_normalized, password_hash, email_verified_at, created_at, updated_at)
         SELECT u.id, u.email, u.email, $3, $4, $4, $4 FROM unnest($1::uuid[], $2::text[]) AS u(id, email)`,
        [chunk.map((u) => u.id), chunk.map((u) => u.email), hash, now],
      );
      if (totp) {
        await this.pool.query(
          `INSERT INTO totp_credentials (id, user_id, state, secret_sealed, algorithm, digits, period_seconds, created_at, activated_at)
           SELECT c.id, c.user_id, 'active', c.sealed, 'SHA1', 6, 30, $4, $4 FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS c(id, user_id, sealed)`,
          [chunk.map((u) => u.credentialId), chunk.map((u) => u.id), chunk.map((u) => this.keyRing.encrypt(u.key, `totp:${u.credentialId}`)), now],
        );
      }
      out.push(...chunk);
    }
    return out;
  }

  /**
   * Filler users generated inside PostgreSQL (generate_series), each with an active credential whose
   * sealed secret has the real size and format (an encryption under another row's context: these
   * users are never asked for a code).
   */
  async filler(count: number, prefix: string, batch = 100_000): Promise<void> {
    const hash = await this.passwordHash();
    const sealed = this.keyRing.encrypt(randomBytes(20), `totp:${randomUUID()}`);
    for (let from = 0; from < count; from += batch) {
      const to = Math.min(count, from + batch) - 1;
      await this.pool.query(
        `WITH u AS (
           INSERT INTO users (id, email, email_normalized, password_hash, email_verified_at, created_at, updated_at)
           SELECT gen_random_uuid(), $3 || g || '@bench.invalid', $3 || g || '@bench.invalid', $4, now(), now(), now()
           FROM generate_series($1::int, $2::int) AS g
           RETURNING id
         )
         INSERT INTO totp_credentials (id, user_id, state, secret_sealed, algorithm, digits, period_seconds, created_at, activated_at)
         SELECT gen_random_uuid(), u.id, 'active', $5, 'SHA1', 6, 30, now(), now() FROM u`,
        [from, to, prefix, hash, sealed],
      );
    }
  }

  /** `perUser` pending login transactions for each user; returns their ids, per user. */
  async transactions(users: readonly Pick<SeededUser, 'id'>[], perUser: number, batch = 10_000): Promise<string[][]> {
    const ids = users.map(() => [] as string[]);
    const rows: Array<{ userIndex: number; id: string }> = [];
    users.forEach((_, userIndex) => {
      for (let k = 0; k < perUser; k++) rows.push({ userIndex, id: randomBytes(24).toString('base64url') });
    });
    const now = new Date();
    const expires = new Date(now.getTime() + TRANSACTION_LIFETIME_MS);
    for (let from = 0; from < rows.length; from += batch) {
      const chunk = rows.slice(from, from + batch);
      await this.pool.query(
        `INSERT INTO login_transactions (id_hash, user_id, purpose, created_at, expires_at)
         SELECT t.h, t.u, 'login', $3, $4 FROM unnest($1::bytea[], $2::uuid[]) AS t(h, u)`,
        [chunk.map((r) => hashToken(r.id)), chunk.map((r) => users[r.userIndex]!.id), now, expires],
      );
    }
    for (const row of rows) ids[row.userIndex]!.push(row.id);
    return ids;
  }

  /** A live session per user, as the server would have issued it; returns the bearer tokens. */
  async sessions(users: readonly Pick<SeededUser, 'id'>[], batch = 10_000): Promise<string[]> {
    const tokens = users.map(() => randomBytes(32).toString('base64url'));
    const now = new Date();
    const expires = new Date(now.getTime() + 24 * 3600 * 1000);
    for (let from = 0; from < users.length; from += batch) {
      const slice = users.slice(from, from + batch);
      await this.pool.query(
        `INSERT INTO sessions (id, user_id, token_hash, client, created_at, last_seen_at, password_at, expires_at, second_factor_at)
         SELECT gen_random_uuid(), s.u, s.h, 'ddp', $3, $3, $3, $4, $3 FROM unnest($1::uuid[], $2::bytea[]) AS s(u, h)`,
        [slice.map((u) => u.id), tokens.slice(from, from + batch).map((t) => hashToken(t)), now, expires],
      );
    }
    return tokens;
  }

  /**
   * After a bulk load, as an operator would: planner statistics, visibility map, and a checkpoint so the
   * load's dirty pages are not still being flushed while the first samples run.
   */
  async analyze(): Promise<void> {
    await this.pool.query('VACUUM ANALYZE');
    await this.pool.query('CHECKPOINT');
  }
}

/** A code pool over seeded users, each holding its pending transaction ids. */
export function poolOf(users: readonly SeededUser[], tickets: string[][]): CodePool<SeededUser> {
  const pool = new CodePool<SeededUser>();
  users.forEach((user, i) => pool.add(user.key, user, tickets[i] ?? []));
  return pool;
}

/** Adds `perUser` more transactions to every user of the pool (bulk), when tickets run low. */
export async function topUpTickets(seeder: TwofoldSeeder, pool: CodePool<SeededUser>, needed: number): Promise<void> {
  if (pool.ticketsLeft() >= needed) return;
  const perUser = Math.ceil((needed - pool.ticketsLeft()) / pool.users.length) + 1;
  const ids = await seeder.transactions(
    pool.users.map((u) => u.data),
    perUser,
  );
  pool.users.forEach((user, i) => user.tickets.push(...ids[i]!));
}
