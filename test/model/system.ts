/**
 * The real system a model run drives: one core over memory stores, or two cores (two instances, a pool each)
 * sharing one PostgreSQL database. Requests alternate between the cores, and a snapshot reads the state the
 * invariants are checked on straight from the rows.
 */
import { createCore, defaultCorePolicy, type Core, type CorePolicy } from '../../src/core/index.ts';
import type { CoreStores } from '../../src/core/index.ts';
import type { Db } from '../../src/store/index.ts';
import { createStores } from '../../src/store/index.ts';
import { memoryStores, type MemoryTables } from '../../src/store/memory/index.ts';
import { ManualClock, memoryKeyRing } from '../helpers/memory-core.ts';
import { RecordingNotifier } from '../helpers/notices.ts';
import { MODEL_POLICY } from './model.ts';

export interface UserSnapshot {
  failures: number;
  lockouts: number;
  lockedUntil: number | null;
  emailOn: boolean;
  /** Passkey ids. */
  keys: string[];
  totp: Array<{ id: string; state: string; lastUsedStep: number | null }>;
  backupCodes: Array<{ id: string; used: boolean }>;
  emailCode: { id: string; attempts: number } | null;
  sessions: Array<{ id: string; revoked: boolean; secondFactorAt: number | null; passwordAt: number; createdAt: number }>;
  /** By id hash (hex). */
  transactions: Map<string, { attempts: number; consumed: boolean; burned: boolean }>;
  devices: Array<{ live: boolean; lastUsedAt: number | null }>;
  /** Counted failures the audit log holds (challenge_failed, not replays). */
  countedFailureEvents: number;
}

export interface System {
  cores: Core[];
  clock: ManualClock;
  notices: RecordingNotifier;
  snapshot(userId: string): Promise<UserSnapshot>;
  close(): Promise<void>;
}

export const MODEL_START = new Date('2026-03-01T09:00:00Z');

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function modelCorePolicy(): CorePolicy {
  const { throttle, ...numbers } = MODEL_POLICY;
  return { ...defaultCorePolicy, ...numbers, throttle: { ...throttle }, rateLimits: { ...defaultCorePolicy.rateLimits, enabled: false } };
}

function buildCore(stores: CoreStores, clock: ManualClock, notices: RecordingNotifier, policy: CorePolicy): Core {
  return createCore({
    stores,
    keyRing: memoryKeyRing(),
    clock,
    notifier: notices,
    logger: quiet,
    policy,
    links: { verifyEmail: (token) => `model://verify?token=${token}`, resetPassword: (token) => `model://reset?token=${token}`, vetoFactorChange: (token) => `model://veto?token=${token}` },
  });
}

const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);

export function memorySystem(policy: CorePolicy = modelCorePolicy()): System & { tables: MemoryTables } {
  const clock = new ManualClock(MODEL_START);
  const notices = new RecordingNotifier();
  const { tables, settings: _s, ...stores } = memoryStores();
  return {
    tables,
    cores: [buildCore(stores, clock, notices, policy)],
    clock,
    notices,
    async snapshot(userId) {
      const user = tables.users.get(userId)!;
      const mine = <T extends { userId: string }>(rows: Iterable<T>) => [...rows].filter((r) => r.userId === userId);
      const live = mine(tables.emailCodes.values()).find((e) => e.usedAt === null && e.expiresAt > clock.now());
      return {
        failures: user.factorFailures,
        lockouts: user.factorLockouts,
        lockedUntil: ms(user.factorLockedUntil),
        emailOn: user.emailTwoFactorEnabledAt !== null,
        keys: mine(tables.webauthn.values()).map((k) => k.id),
        totp: mine(tables.totp.values()).map((c) => ({ id: c.id, state: c.state, lastUsedStep: c.lastUsedStep })),
        backupCodes: mine(tables.backupCodes.values()).map((b) => ({ id: b.id, used: b.usedAt !== null })),
        emailCode: live ? { id: live.id, attempts: live.attempts } : null,
        sessions: mine(tables.sessions.values()).map((s) => ({ id: s.id, revoked: s.revokedAt !== null, secondFactorAt: ms(s.secondFactorAt), passwordAt: s.passwordAt.getTime(), createdAt: s.createdAt.getTime() })),
        transactions: new Map(mine(tables.transactions.values()).map((t) => [t.idHash, { attempts: t.attempts, consumed: t.consumedAt !== null, burned: t.burnedAt !== null }])),
        devices: mine(tables.devices.values()).map((d) => ({ live: d.revokedAt === null && d.expiresAt > clock.now(), lastUsedAt: ms(d.lastUsedAt) })),
        countedFailureEvents: tables.events.filter((e) => e.userId === userId && e.kind === 'challenge_failed' && !e.details.replayed).length,
      };
    },
    close: async () => undefined,
  };
}

/** Two instances on one PostgreSQL database, each with its own pool: the atomic statements meet in the database. */
export function postgresSystem(dbs: [Db, Db], policy: CorePolicy = modelCorePolicy()): System {
  const clock = new ManualClock(MODEL_START);
  const notices = new RecordingNotifier();
  const [db] = dbs;
  const q = <R>(sql: string, params: unknown[]) => db.query<R>(sql, params);
  return {
    cores: dbs.map((d) => buildCore(createStores(d), clock, notices, policy)),
    clock,
    notices,
    async snapshot(userId) {
      const now = clock.now();
      const [user] = await q<{ factor_failures: number; factor_lockouts: number; factor_locked_until: Date | null; email_2fa_enabled_at: Date | null }>(
        'SELECT factor_failures, factor_lockouts, factor_locked_until, email_2fa_enabled_at FROM users WHERE id = $1',
        [userId],
      );
      const totp = await q<{ id: string; state: string; last_used_step: string | null }>('SELECT id, state, last_used_step FROM totp_credentials WHERE user_id = $1', [userId]);
      const keys = await q<{ id: string }>('SELECT id FROM webauthn_credentials WHERE user_id = $1', [userId]);
      const backup = await q<{ id: string; used_at: Date | null }>('SELECT id, used_at FROM backup_codes WHERE user_id = $1', [userId]);
      const [email] = await q<{ id: string; attempts: number }>('SELECT id, attempts FROM email_codes WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2', [userId, now]);
      const sessions = await q<{ id: string; revoked_at: Date | null; second_factor_at: Date | null; password_at: Date; created_at: Date }>(
        'SELECT id, revoked_at, second_factor_at, password_at, created_at FROM sessions WHERE user_id = $1',
        [userId],
      );
      const transactions = await q<{ id_hash: Buffer | Uint8Array; attempts: number; consumed_at: Date | null; burned_at: Date | null }>(
        'SELECT id_hash, attempts, consumed_at, burned_at FROM login_transactions WHERE user_id = $1',
        [userId],
      );
      const devices = await q<{ live: boolean; last_used_at: Date | null }>('SELECT (revoked_at IS NULL AND expires_at > $2) AS live, last_used_at FROM trusted_devices WHERE user_id = $1', [userId, now]);
      const [failures] = await q<{ n: number }>(
        `SELECT count(*)::int AS n FROM security_events WHERE user_id = $1 AND kind = 'challenge_failed' AND NOT coalesce((details->>'replayed')::boolean, false)`,
        [userId],
      );
      return {
        failures: user!.factor_failures,
        lockouts: user!.factor_lockouts,
        lockedUntil: ms(user!.factor_locked_until),
        emailOn: user!.email_2fa_enabled_at !== null,
        keys: keys.map((k) => k.id),
        totp: totp.map((c) => ({ id: c.id, state: c.state, lastUsedStep: c.last_used_step === null ? null : Number(c.last_used_step) })),
        backupCodes: backup.map((b) => ({ id: b.id, used: b.used_at !== null })),
        emailCode: email ? { id: email.id, attempts: email.attempts } : null,
        sessions: sessions.map((s) => ({ id: s.id, revoked: s.revoked_at !== null, secondFactorAt: ms(s.second_factor_at), passwordAt: s.password_at.getTime(), createdAt: s.created_at.getTime() })),
        transactions: new Map(transactions.map((t) => [Buffer.from(t.id_hash).toString('hex'), { attempts: t.attempts, consumed: t.consumed_at !== null, burned: t.burned_at !== null }])),
        devices: devices.map((d) => ({ live: d.live, lastUsedAt: ms(d.last_used_at) })),
        countedFailureEvents: failures!.n,
      };
    },
    close: async () => undefined,
  };
}
