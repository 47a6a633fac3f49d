import { identifies, type LoginIdentity } from '../../src/core/users/identity.ts';
import type { SecurityEvent } from '../../src/core/audit/events.ts';
import type { FactorState } from '../../src/core/challenge/factors.ts';
import { policyTable } from '../../src/core/challenge/policy.ts';
import type { SignInDeps } from '../../src/core/challenge/sign-in.ts';
import type { AcceptOutcome, AcceptWrite, ChallengeStore, Claim, RejectOutcome, RejectWrite } from '../../src/core/challenge/store.ts';
import { hashToken } from '../../src/core/crypto/hash.ts';
import type { ChallengeBinding, WebAuthnCredential } from '../../src/core/factors/webauthn/store.ts';
import type { Notice } from '../../src/core/notices.ts';
import type { RequestContext, Session } from '../../src/core/sessions/session.ts';
import type { NewSession } from '../../src/core/sessions/store.ts';
import type { LoginTransaction } from '../../src/core/transactions/store.ts';
import type { UserRecord } from '../../src/core/users/user.ts';
import { StillClock, T0, testKeyRing } from './fixtures.ts';

/**
 * The challenge module's storage port kept in memory, for core tests of `core/challenge` with no database:
 * it keeps factor states, transactions and backup codes, spends each claim once, and records every write
 * (the SQL store's atomicity is tested against PostgreSQL elsewhere). A test can script the next outcome
 * of a write to play a race lost to a parallel request (`willAccept`, `willReject`).
 */
export class ChallengeMemory implements ChallengeStore {
  readonly states = new Map<string, FactorState>();
  readonly transactions = new Map<string, LoginTransaction>();
  readonly backupCodes: { userId: string; hash: string; id: string; usedAt: Date | null }[] = [];
  readonly accepted: AcceptWrite[] = [];
  readonly rejected: RejectWrite[] = [];
  readonly sessions: NewSession[] = [];
  private readonly spent = new Set<string>();
  private readonly scriptedAccepts: AcceptOutcome[] = [];
  private readonly scriptedRejects: RejectOutcome[] = [];

  /** The next accept write answers `outcome` (and changes nothing), as if a parallel request got there first. */
  willAccept(outcome: AcceptOutcome): void {
    this.scriptedAccepts.push(outcome);
  }
  willReject(outcome: RejectOutcome): void {
    this.scriptedRejects.push(outcome);
  }

  async factors(userId: string): Promise<FactorState | null> {
    return this.states.get(userId) ?? null;
  }

  async factorsByLogin(identity: LoginIdentity): Promise<{ user: FactorState['user']; state: FactorState } | null> {
    const state = [...this.states.values()].find((s) => identifies(identity, s.user));
    return state ? { user: state.user, state } : null;
  }

  async transaction(idHash: Buffer): Promise<{ transaction: LoginTransaction; state: FactorState } | null> {
    const transaction = this.transactions.get(idHash.toString('hex'));
    const state = transaction && this.states.get(transaction.userId);
    return transaction && state ? { transaction: { ...transaction }, state } : null;
  }

  async findBackupCode(userId: string, hashes: string[]) {
    const found = this.backupCodes.find((c) => c.userId === userId && hashes.includes(c.hash));
    return found ? { id: found.id, usedAt: found.usedAt } : null;
  }

  async accept(write: AcceptWrite): Promise<AcceptOutcome> {
    this.accepted.push(write);
    const scripted = this.scriptedAccepts.shift();
    if (scripted) return scripted;
    const claim = claimKey(write.claim);
    if (claim && this.spent.has(claim)) return { status: 'claim-taken' };
    if (claim) this.spent.add(claim);
    if (write.claim.kind === 'backup-code') {
      const { id } = write.claim;
      const code = this.backupCodes.find((c) => c.id === id);
      if (code) code.usedAt = write.now;
    }
    if (write.transaction) {
      const transaction = this.transactions.get(write.transaction.idHash.toString('hex'))!;
      Object.assign(transaction, { attempts: transaction.attempts + 1, consumedAt: write.now, answerHash: write.transaction.answerHash });
    }
    if (write.session) this.sessions.push(write.session);
    return { status: 'accepted', replacedAuthenticator: false };
  }

  async reject(write: RejectWrite): Promise<RejectOutcome> {
    this.rejected.push(write);
    const scripted = this.scriptedRejects.shift();
    if (scripted) return scripted;
    let attempts: number | null = null;
    if (write.transaction) {
      const transaction = this.transactions.get(write.transaction.idHash.toString('hex'))!;
      transaction.attempts += 1;
      attempts = transaction.attempts;
    }
    return { status: 'counted', attempts, lockBegan: null, codeExhausted: false };
  }
}

function claimKey(claim: Claim): string | null {
  switch (claim.kind) {
    case 'totp-step':
      return `totp:${claim.credentialId}:${claim.step}`;
    case 'backup-code':
      return `backup:${claim.id}`;
    case 'email-code':
      return `email:${claim.id}`;
    case 'webauthn':
      return `webauthn:${claim.challengeHash.toString('hex')}`;
    case 'none':
      return null;
  }
}

export const browser: RequestContext = { client: 'rest', ip: '198.51.100.7', userAgent: 'Firefox/140' };

/** A session of `user`, signed in at T0 with its password and (unless told) a second factor, from `browser`. */
export function sessionOf(user: UserRecord, overrides: Partial<Session> = {}): Session {
  return {
    id: `session-of-${user.id}`,
    userId: user.id,
    client: 'rest',
    ip: browser.ip!,
    userAgent: browser.userAgent!,
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: new Date(T0.getTime() + 86_400_000),
    revokedAt: null,
    secondFactorAt: T0,
    secondFactorIp: browser.ip!,
    secondFactorUserAgent: browser.userAgent!,
    passwordAt: T0,
    amr: ['pwd', 'otp', 'mfa'],
    ...overrides,
  };
}

export const POLICY = {
  stepUpWindowSeconds: 300,
  rememberForSeconds: 1800,
  maxAttempts: 5,
  emailCodeMaxAttempts: 5,
  emailCodeTtlSeconds: 600,
  retryWindowSeconds: 60,
} as const;

/** Everything `core/challenge` needs, over `ChallengeMemory`, with what it told users and auditors recorded. */
export function challengeHarness() {
  const store = new ChallengeMemory();
  const clock = new StillClock();
  const keyRing = testKeyRing();
  const notices: Notice[] = [];
  const audited: { kind: string; userId: string | null; details: Record<string, unknown> }[] = [];
  const observed: SecurityEvent[] = [];
  const lockouts: { userId: string; until: Date }[] = [];
  const replays: { userId: string; factor: string }[] = [];
  const factorChanges: { userId: string; factor: string; change: string; audited?: true }[] = [];
  const burned: string[] = [];
  const emailCodes = {
    emailCodes: {
      async replace(row: { id: string; userId: string; codeHash: string; createdAt: Date; expiresAt: Date }) {
        const code = { id: row.id, codeHash: row.codeHash, attempts: 0, createdAt: row.createdAt, liveSince: row.createdAt, expiresAt: row.expiresAt };
        const state = store.states.get(row.userId);
        if (state) store.states.set(row.userId, { ...state, emailCode: code });
        return code;
      },
    },
    keyRing,
    notifier: { send: async (notice: Notice) => void notices.push(notice) },
    clock,
    ttlSeconds: POLICY.emailCodeTtlSeconds,
    maxAttempts: POLICY.emailCodeMaxAttempts,
    mailAllowed: async () => undefined,
  };
  const rp = { id: 'localhost', name: 'twofold', origins: ['http://localhost:8080'], challengeTtlSeconds: 300 };
  /** Registered keys by user, and the challenges issued for them (by hash, with their binding). */
  const keys = new Map<string, WebAuthnCredential[]>();
  const challenges: { challengeHash: Buffer; binding: ChallengeBinding; expiresAt: Date }[] = [];
  const webauthn = {
    insert: async () => 'inserted' as const,
    listForUser: async (userId: string) => keys.get(userId) ?? [],
    countForUser: async (userId: string) => (keys.get(userId) ?? []).length,
    findByCredentialId: async (credentialId: string) => [...keys.values()].flat().find((k) => k.credentialId === credentialId) ?? null,
    rename: async () => 'not_found' as const,
    remove: async () => false,
    removeAll: async () => 0,
    saveChallenge: async (challengeHash: Buffer, binding: ChallengeBinding, _now: Date, expiresAt: Date) => void challenges.push({ challengeHash, binding, expiresAt }),
    consumeChallenge: async () => false,
    isChallengeLive: async () => false,
  };
  const audit = {
    async record(kind: string, userId: string | null, _context?: RequestContext | null, details: Record<string, unknown> = {}) {
      audited.push({ kind, userId, details });
    },
    observed: (events: readonly SecurityEvent[]) => void observed.push(...events),
  };
  const deps: SignInDeps = {
    keyRing,
    clock,
    store,
    webauthn,
    rp,
    emailCodeMaxAttempts: POLICY.emailCodeMaxAttempts,
    throttle: { failuresPerLockout: 5, baseLockSeconds: 60, maxConsecutiveFailures: 100 },
    audit: audit as SignInDeps['audit'],
    onLockout: async (user, until) => void lockouts.push({ userId: user.id, until }),
    onReplay: async (user, factor) => void replays.push({ userId: user.id, factor }),
    details: { email: emailCodes, webauthn: { webauthn, rp, clock } },
    table: policyTable({ backendlessChangeProof: 'session' }),
    stepUpWindowSeconds: POLICY.stepUpWindowSeconds,
    rememberForSeconds: POLICY.rememberForSeconds,
    transactions: {
      insert: async () => undefined,
      find: async (idHash) => {
        const found = store.transactions.get(idHash.toString('hex'));
        return found ? { ...found } : null;
      },
      burn: async (idHash) => {
        burned.push(idHash.toString('hex'));
        const found = store.transactions.get(idHash.toString('hex'));
        if (found) found.burnedAt = clock.now();
      },
      burnAllForUser: async () => 0,
    },
    sessions: {
      insert: async () => {
        throw new Error('sessions are written by the challenge store');
      },
      findByTokenHash: async (tokenHash) => {
        const row = store.sessions.find((s) => s.tokenHash.equals(tokenHash));
        const state = row && store.states.get(row.userId);
        if (!row || !state) return null;
        const session: Session = {
          ...row,
          lastSeenAt: row.createdAt,
          revokedAt: null,
          secondFactorIp: row.ip,
          secondFactorUserAgent: row.userAgent,
          passwordAt: row.createdAt,
        };
        return { session, user: state.user };
      },
      touchMany: async () => undefined,
      listForUser: async () => [],
      revoke: async () => false,
      revokeAllForUser: async () => 0,
    },
    devices: {
      insert: async () => undefined,
      use: async () => null,
      find: async () => null,
      listForUser: async () => [],
      revoke: async () => false,
      revokeAllForUser: async () => 0,
    },
    events: {
      audit: audit as SignInDeps['audit'],
      // `audited`: the write that made the change already carried its audit event.
      factorChanged: async (user, factor, change, _context, _keep, options) =>
        void factorChanges.push({ userId: user.id, factor, change, ...(options?.audited ? { audited: true } : {}) }),
      replayRejected: async () => undefined,
      passwordChanged: async () => undefined,
      endOtherSessions: async () => undefined,
    },
    maxAttempts: POLICY.maxAttempts,
    sessionTtlSeconds: 86_400,
    trustedDeviceTtlSeconds: 30 * 86_400,
    retryWindowSeconds: POLICY.retryWindowSeconds,
    requireEmailConfirmation: false,
  };

  /** Opens a transaction for `userId` the way the password step does; returns the id a client holds. */
  function openTransaction(userId: string, overrides: Partial<LoginTransaction> = {}): string {
    const id = `tx-${store.transactions.size + 1}-${userId}`;
    store.transactions.set(hashToken(id).toString('hex'), {
      userId,
      purpose: 'login',
      credentialId: null,
      attempts: 0,
      createdAt: clock.now(),
      expiresAt: new Date(clock.now().getTime() + 300_000),
      consumedAt: null,
      burnedAt: null,
      answerHash: null,
      ...overrides,
    });
    return id;
  }

  return { deps, store, clock, keyRing, notices, audited, observed, lockouts, replays, factorChanges, burned, openTransaction, keys, challenges };
}
