import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { hashToken } from '../../src/core/crypto/hash.ts';
import type { CodePool } from './code-pool.ts';
import { LatencyRecorder } from './stats.ts';
import type { SeededUser } from './twofold.ts';

/**
 * The database's share of the 2FA step, without Node's HTTP or application code: the statements twofold
 * issues for one successful `POST /v1/sessions/second-factor` (as its stores write them, and as
 * PostgreSQL's statement log shows them), replayed from a pg Pool of 10 connections with 50 requests in
 * flight, three ways: each statement on its own (autocommit, as twofold does today: every write waits for
 * its own WAL flush); all of them in one transaction (one flush, still one round trip per statement); and
 * all of them sent as one script (one round trip, one flush; values inlined, for this measurement only).
 * The gaps say what a leaner step could gain on this machine, before any HTTP or application work.
 */

const LIVE = 'consumed_at IS NULL AND burned_at IS NULL AND expires_at > $2';

interface Step {
  user: SeededUser;
  transactionId: string;
  step: number;
}

function statements(s: Step, now: Date): Array<[string, unknown[]]> {
  const idHash = hashToken(s.transactionId);
  const event = (kind: string, details: object): [string, unknown[]] => [
    `INSERT INTO security_events (id, user_id, kind, client, ip, user_agent, details, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
    [randomUUID(), s.user.id, kind, 'rest', '127.0.0.1', null, JSON.stringify(details), now],
  ];
  return [
    ['SELECT * FROM login_transactions WHERE id_hash = $1', [idHash]],
    ['SELECT * FROM users WHERE id = $1', [s.user.id]],
    [`SELECT * FROM totp_credentials WHERE user_id = $1 AND state = 'active'`, [s.user.id]],
    [`UPDATE login_transactions SET attempts = attempts + 1 WHERE id_hash = $1 AND ${LIVE} AND attempts < $3 RETURNING attempts`, [idHash, now, 5]],
    [
      `UPDATE users SET factor_failures = factor_failures + 1,
         factor_locked_until = CASE WHEN factor_failures + 1 >= $3 THEN '9999-12-31T00:00:00Z'::timestamptz
           WHEN (factor_failures + 1) % $4 = 0 THEN $2::timestamptz + make_interval(secs => $5 * power(2, least(factor_lockouts, 20)))
           ELSE factor_locked_until END,
         factor_lockouts = CASE WHEN (factor_failures + 1) % $4 = 0 THEN factor_lockouts + 1 ELSE factor_lockouts END
       WHERE id = $1 AND (factor_locked_until IS NULL OR factor_locked_until <= $2) RETURNING factor_failures, factor_locked_until`,
      [s.user.id, now, 100, 10, 900],
    ],
    ['UPDATE totp_credentials SET last_used_step = $2 WHERE id = $1 AND (last_used_step IS NULL OR last_used_step < $2) RETURNING id', [s.user.credentialId, s.step]],
    [
      `UPDATE users SET factor_failures = 0, factor_locked_until = NULL, factor_lockouts = 0
       WHERE id = $1 AND (factor_failures <> 0 OR factor_locked_until IS NOT NULL OR factor_lockouts <> 0)`,
      [s.user.id],
    ],
    event('challenge_passed', { method: 'totp', operation: 'login' }),
    [`UPDATE login_transactions SET consumed_at = $2 WHERE id_hash = $1 AND ${LIVE} RETURNING 1`, [idHash, now]],
    [
      `INSERT INTO sessions (id, user_id, token_hash, client, ip, user_agent, created_at, last_seen_at, password_at, expires_at, second_factor_at, second_factor_ip, second_factor_user_agent)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7, $8, $9, $5, $6) RETURNING id`,
      [randomUUID(), s.user.id, hashToken(randomBytes(32).toString('base64url')), 'rest', '127.0.0.1', null, now, new Date(now.getTime() + 86_400_000), now],
    ],
    event('login_succeeded', { secondFactor: true }),
  ];
}

/** A value as an SQL literal (our own generated values only: ids, hashes, dates, numbers, JSON). */
function literal(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (Buffer.isBuffer(value)) return `'\\x${value.toString('hex')}'::bytea`;
  if (value instanceof Date) return `'${value.toISOString()}'::timestamptz`;
  return `'${String(value).replace(/'/g, "''")}'`;
}

/** The statements with their parameters inlined, as one simple-protocol script. */
function script(list: Array<[string, unknown[]]>): string {
  const inline = ([sql, params]: [string, unknown[]]) => sql.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]));
  return `BEGIN;\n${list.map(inline).join(';\n')};\nCOMMIT;`;
}

export interface ReplayResult {
  mode: 'autocommit' | 'one transaction' | 'one round trip';
  statements: number;
  rate: number;
  p50: number;
  p99: number;
}

export async function replaySecondFactorSql(
  databaseUrl: string,
  pool: CodePool<SeededUser>,
  mode: ReplayResult['mode'],
  durationMs: number,
  inFlight = 50,
): Promise<ReplayResult> {
  const db = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const latencies = new LatencyRecorder();
  let done = 0;
  let count = 0;
  const end = process.hrtime.bigint() + BigInt(durationMs * 1e6);
  const worker = async () => {
    while (process.hrtime.bigint() < end) {
      const grant = pool.take();
      if (!grant) throw new Error('the SQL replay ran out of seeded transactions');
      const list = statements({ user: grant.user.data, transactionId: grant.ticket, step: grant.step }, new Date());
      count = list.length;
      const begin = process.hrtime.bigint();
      try {
        if (mode === 'autocommit') {
          for (const [sql, params] of list) await db.query(sql, params);
        } else if (mode === 'one round trip') {
          await db.query(script(list));
        } else {
          const client = await db.connect();
          try {
            await client.query('BEGIN');
            for (const [sql, params] of list) await client.query(sql, params);
            await client.query('COMMIT');
          } finally {
            client.release();
          }
        }
      } finally {
        pool.release(grant);
      }
      if (process.hrtime.bigint() <= end) {
        done++;
        latencies.add(Number(process.hrtime.bigint() - begin));
      }
    }
  };
  const start = process.hrtime.bigint();
  try {
    await Promise.all(Array.from({ length: inFlight }, worker));
  } finally {
    await db.end();
  }
  const seconds = Math.min(durationMs / 1000, Number(process.hrtime.bigint() - start) / 1e9);
  const summary = latencies.summary();
  return { mode, statements: count, rate: done / seconds, p50: summary.p50, p99: summary.p99 };
}
