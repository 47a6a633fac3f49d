import type { FactorState, LiveEmailCode } from '../core/challenge/factors.ts';
import type { AcceptOutcome, AcceptWrite, ChallengeStore, Claim, RateWindow, RejectWrite } from '../core/challenge/store.ts';
import type { RateSeen } from '../core/limits/rate-limit.ts';
import type { TotpCredential } from '../core/factors/totp-store.ts';
import type { LoginTransaction } from '../core/transactions/store.ts';
import { eventsJson } from './audit-store.ts';
import type { Queryable } from './db.ts';
import { toUserRecord, type UserRow } from './user-store.ts';

/**
 * The user row, its credentials, live email code and key count, as `twofold_factor_state` (migration 0017) answers
 * them: a PL/pgSQL function, so PostgreSQL plans that read once per connection rather than once per request.
 */
const FACTOR_STATE = '(s.u).*, s.f_totp, s.f_email, s.f_keys';

interface FactorColumns {
  factor_failures: number;
  factor_locked_until: Date | null;
  f_totp: Array<Record<string, unknown>> | null;
  f_email: Record<string, unknown> | null;
  f_keys: number;
}

interface TransactionColumns {
  t_user_id: string;
  t_purpose: LoginTransaction['purpose'];
  t_credential_id: string | null;
  t_attempts: number;
  t_created_at: Date;
  t_expires_at: Date;
  t_consumed_at: Date | null;
  t_burned_at: Date | null;
  t_answer_hash: string | null;
}

const date = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));

function toCredential(row: Record<string, unknown>, userId: string): TotpCredential {
  return {
    id: row.id as string,
    userId,
    state: row.state as TotpCredential['state'],
    secretSealed: row.secret_sealed as string,
    params: { algorithm: row.algorithm as TotpCredential['params']['algorithm'], digits: row.digits as number, periodSeconds: row.period_seconds as number },
    lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
    createdAt: date(row.created_at)!,
    activatedAt: date(row.activated_at),
  };
}

function toEmailCode(row: Record<string, unknown> | null): LiveEmailCode | null {
  if (!row) return null;
  return {
    id: row.id as string,
    codeHash: row.code_hash as string,
    attempts: row.attempts as number,
    createdAt: date(row.created_at)!,
    liveSince: date(row.live_since)!,
    expiresAt: date(row.expires_at)!,
  };
}

function toFactorState(row: UserRow & FactorColumns): FactorState {
  const user = toUserRecord(row);
  const credentials = (row.f_totp ?? []).map((c) => toCredential(c, user.id));
  return {
    user,
    throttle: { failures: row.factor_failures, lockedUntil: row.factor_locked_until },
    authenticator: credentials.find((c) => c.state === 'active') ?? null,
    unconfirmed: credentials.find((c) => c.state !== 'active') ?? null,
    emailCode: toEmailCode(row.f_email),
    webauthnKeys: row.f_keys,
  };
}

const hex = (buffer: Buffer | null | undefined) => (buffer ? buffer.toString('hex') : null);

function claimJson(claim: Claim) {
  switch (claim.kind) {
    case 'totp-step':
      return { kind: claim.kind, credential_id: claim.credentialId, step: claim.step };
    case 'backup-code':
      return { kind: claim.kind, id: claim.id };
    case 'email-code':
      return { kind: claim.kind, id: claim.id, max_attempts: claim.maxAttempts };
    case 'webauthn':
      return {
        kind: claim.kind,
        challenge_hash: hex(claim.challengeHash),
        purpose: claim.binding.purpose,
        bound_to: hex(claim.binding.boundTo),
        key_id: claim.keyId,
        previous_counter: claim.previousCounter,
        new_counter: claim.newCounter,
        backed_up: claim.backedUp,
      };
    case 'none':
      return { kind: claim.kind };
  }
}

/** The write as the SQL function `twofold_accept_proof` reads it (migration 0008): one statement, one round trip. */
export function acceptJson(w: AcceptWrite) {
  return {
    user_id: w.userId,
    now: w.now,
    claim: claimJson(w.claim),
    reset_throttle: w.resetThrottle,
    ...(w.transaction ? { transaction: { id_hash: hex(w.transaction.idHash), max_attempts: w.transaction.maxAttempts, answer_hash: w.transaction.answerHash } } : {}),
    ...(w.activate ? { activate: { credential_id: w.activate.credentialId, backup_code_hashes: w.activate.backupCodeHashes } } : {}),
    ...(w.session
      ? {
          session: {
            id: w.session.id,
            token_hash: hex(w.session.tokenHash),
            client: w.session.client,
            ip: w.session.ip,
            user_agent: w.session.userAgent,
            created_at: w.session.createdAt,
            expires_at: w.session.expiresAt,
            second_factor_at: w.session.secondFactorAt,
            amr: w.session.amr,
          },
        }
      : {}),
    ...(w.markSession ? { mark_session: { id: w.markSession.id, proved: w.markSession.proved, ip: w.markSession.ip, user_agent: w.markSession.userAgent, amr: w.markSession.amr } } : {}),
    ...rateJson(w.rate),
    ...(w.device
      ? {
          device: {
            id: w.device.device.id,
            token_hash: hex(w.device.tokenHash),
            label: w.device.device.label,
            created_at: w.device.device.createdAt,
            expires_at: w.device.device.expiresAt,
          },
        }
      : {}),
    events: eventsJson(w.events),
  };
}

export function rejectJson(w: RejectWrite) {
  return {
    user_id: w.userId,
    now: w.now,
    count: w.countTowardLockout,
    max_failures: w.throttle.maxConsecutiveFailures,
    per_lockout: w.throttle.failuresPerLockout,
    base_lock_seconds: w.throttle.baseLockSeconds,
    ...(w.transaction ? { transaction: { id_hash: hex(w.transaction.idHash), max_attempts: w.transaction.maxAttempts } } : {}),
    ...(w.emailCode ? { email_code: { id: w.emailCode.id, max_attempts: w.emailCode.maxAttempts } } : {}),
    ...rateJson(w.rate),
    events: eventsJson(w.events),
  };
}

const rateJson = (rate: RateWindow | undefined) => (rate ? { rate: { key: rate.key, limit: rate.limit, window_seconds: rate.windowSeconds } } : {});

interface RateColumns {
  rate_hits?: number;
  rate_window_start?: string | null;
}

/** The limit's window as the write saw it (migration 0012); undefined when the write had no limit to apply. */
function rateSeen(r: RateColumns): RateSeen | undefined {
  return r.rate_hits === undefined ? undefined : { hits: r.rate_hits, windowStart: date(r.rate_window_start) };
}

interface RejectRow extends RateColumns {
  rate_limited?: boolean;
  attempts?: number | null;
  lock_began?: string | null;
  locked_until?: string;
  transaction_gone?: boolean;
  code_exhausted?: boolean;
}

const ACCEPT_STATUSES = new Set(['transaction-gone', 'claim-taken', 'activation-gone', 'user-disabled']);

export function createChallengeStore(db: Queryable): ChallengeStore {
  return {
    async factors(userId, now) {
      const rows = await db.query<UserRow & FactorColumns>(`SELECT ${FACTOR_STATE} FROM twofold_factor_state($1, $2) s`, [userId, now]);
      return rows[0] ? toFactorState(rows[0]) : null;
    },
    async factorsByLogin(identity, now) {
      // Migration 0019: the user and their factor state in one round trip.
      const rows = await db.query<UserRow & FactorColumns>(`SELECT ${FACTOR_STATE} FROM twofold_sign_in_state($1, $2, $3) s`, [
        'email' in identity ? identity.email : null,
        'username' in identity ? identity.username : null,
        now,
      ]);
      const state = rows[0] && toFactorState(rows[0]);
      return state ? { user: state.user, state } : null;
    },
    async transaction(idHash, now) {
      const rows = await db.query<UserRow & FactorColumns & TransactionColumns>(
        `SELECT (s.t).user_id AS t_user_id, (s.t).purpose AS t_purpose, (s.t).credential_id AS t_credential_id,
                (s.t).attempts AS t_attempts, (s.t).created_at AS t_created_at, (s.t).expires_at AS t_expires_at,
                (s.t).consumed_at AS t_consumed_at, (s.t).burned_at AS t_burned_at, (s.t).answer_hash AS t_answer_hash, ${FACTOR_STATE}
           FROM twofold_transaction_state($1, $2) s`,
        [idHash, now],
      );
      const row = rows[0];
      if (!row) return null;
      const transaction: LoginTransaction = {
        userId: row.t_user_id,
        purpose: row.t_purpose,
        credentialId: row.t_credential_id,
        attempts: row.t_attempts,
        createdAt: row.t_created_at,
        expiresAt: row.t_expires_at,
        consumedAt: row.t_consumed_at,
        burnedAt: row.t_burned_at,
        answerHash: row.t_answer_hash,
      };
      return { transaction, state: toFactorState(row) };
    },
    async findBackupCode(userId, hashes) {
      const rows = await db.query<{ id: string; used_at: Date | null }>(
        'SELECT id, used_at FROM backup_codes WHERE user_id = $1 AND code_hash = ANY($2::text[]) ORDER BY used_at NULLS FIRST LIMIT 1',
        [userId, hashes],
      );
      return rows[0] ? { id: rows[0].id, usedAt: rows[0].used_at } : null;
    },
    async accept(write) {
      const [row] = await db.query<{ r: RateColumns & { status: string; until?: string; replaced?: boolean } }>('SELECT twofold_accept_answer($1::jsonb) AS r', [
        JSON.stringify(acceptJson(write)),
      ]);
      const r = row!.r;
      const rate = rateSeen(r);
      if (r.status === 'rate-limited') return { status: 'rate-limited', rate: { hits: r.rate_hits!, windowStart: date(r.rate_window_start)! } };
      if (r.status === 'accepted') return { status: 'accepted', replacedAuthenticator: r.replaced === true, ...(rate ? { rate } : {}) };
      if (r.status === 'locked') return { status: 'locked', until: new Date(r.until!) };
      if (!ACCEPT_STATUSES.has(r.status)) throw new Error(`twofold_accept_answer answered an unknown status "${r.status}"`);
      return { status: r.status } as AcceptOutcome;
    },
    async reject(write) {
      const [row] = await db.query<{ r: RejectRow }>('SELECT twofold_reject_answer($1::jsonb) AS r', [JSON.stringify(rejectJson(write))]);
      const r = row!.r;
      const rate = rateSeen(r);
      const seen = rate ? { rate } : {};
      if (r.rate_limited) return { status: 'rate-limited', rate: { hits: r.rate_hits!, windowStart: date(r.rate_window_start)! } };
      if (r.locked_until) return { status: 'locked', until: new Date(r.locked_until), ...seen };
      if (r.transaction_gone) return { status: 'transaction-gone', ...seen };
      return { status: 'counted', attempts: r.attempts ?? null, lockBegan: date(r.lock_began), codeExhausted: r.code_exhausted === true, ...seen };
    },
  };
}
