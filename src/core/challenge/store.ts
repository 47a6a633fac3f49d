import type { SecurityEvent } from '../audit/events.ts';
import type { RateSeen } from '../limits/rate-limit.ts';
import type { AmrValue } from '../sessions/amr.ts';
import type { TrustedDevice } from '../devices/store.ts';
import type { ChallengePurpose } from '../factors/webauthn/store.ts';
import type { ThrottlePolicy } from './throttle.ts';
import type { NewSession } from '../sessions/store.ts';
import type { LoginTransaction } from '../transactions/store.ts';
import type { FactorState } from './factors.ts';
import type { LoginIdentity } from '../users/identity.ts';
import type { UserRecord } from '../users/user.ts';

/** What an accepted answer spends, so it can never be accepted again. */
export type Claim =
  /** Compare-and-set of the last used time step (RFC 6238 5.2). */
  | { kind: 'totp-step'; credentialId: string; step: number }
  | { kind: 'backup-code'; id: string }
  | { kind: 'email-code'; id: string; maxAttempts: number }
  /** The challenge the browser signed, and a compare-and-set of the key's signature counter. */
  | {
      kind: 'webauthn';
      challengeHash: Buffer;
      binding: { purpose: ChallengePurpose; boundTo: Buffer | null };
      keyId: string;
      previousCounter: number;
      newCounter: number;
      backedUp: boolean;
      /** For the session's `amr` (sessions/amr.ts): a synced or device-bound key, and whether the user was verified. */
      deviceType: 'singleDevice' | 'multiDevice';
      userVerified: boolean;
    }
  /** A password: its check is the argon2 verification itself, nothing to spend. */
  | { kind: 'none' };

/**
 * Everything an accepted proof changes, written as one atomic statement: all of it happens, or none of it
 * (security.md threat 14). A retry after a lost answer then finds either nothing or the finished result.
 */
export interface AcceptWrite {
  userId: string;
  now: Date;
  claim: Claim;
  /** A factor answer ends the account's run of failures; a password never does (it is not the second factor). */
  resetThrottle: boolean;
  /** A sign-in transaction this answer completes: an attempt is taken and it is consumed, remembering the answer. */
  transaction?: { idHash: Buffer; maxAttempts: number; answerHash: string };
  /** Makes a new authenticator active (retiring the previous one) with fresh backup codes. */
  activate?: { credentialId: string; backupCodeHashes: string[] };
  session?: NewSession;
  /** A session proved something now: a factor (the step-up window and remember-for start) or its password. */
  markSession?: { id: string; proved: 'factor' | 'password'; ip: string | null; userAgent: string | null; amr: AmrValue[] };
  device?: { device: TrustedDevice; tokenHash: Buffer };
  events: SecurityEvent[];
  /** A failures-only rate limit (its key's window): the answer is accepted only while it has failures to spare. */
  rate?: RateWindow;
}

/** A rate limit's counter as the answer's write checks or counts it (rate-limit.ts `RateCharge`). */
export interface RateWindow {
  key: string;
  limit: number;
  windowSeconds: number;
}

export type AcceptOutcome =
  | { status: 'accepted'; replacedAuthenticator: boolean; rate?: RateSeen }
  /** The rate limit's window had no failure to spare: nothing was written. */
  | { status: 'rate-limited'; rate: RateSeen & { windowStart: Date } }
  /** The account's checks are paused (a lock began since the read). */
  | { status: 'locked'; until: Date }
  /** The transaction was used, burned, used up or expired since the read. */
  | { status: 'transaction-gone' }
  /** The step, code, challenge or counter was spent by someone else since the read. */
  | { status: 'claim-taken' }
  /** The authenticator to activate is no longer waiting (replaced or removed), or the user is gone. */
  | { status: 'activation-gone' }
  /** The account was disabled since the read: no session for it. */
  | { status: 'user-disabled' };

/** A wrong (or replayed) answer, recorded as one atomic statement. */
export interface RejectWrite {
  userId: string;
  now: Date;
  /** Guesses count toward the account lockout; a replay of a right answer does not (threat 14). */
  countTowardLockout: boolean;
  throttle: ThrottlePolicy;
  /** The sign-in transaction the answer was for: one of its attempts is taken. */
  transaction?: { idHash: Buffer; maxAttempts: number };
  /** The email code the answer was compared with: one of its tries is taken. */
  emailCode?: { id: string; maxAttempts: number };
  events: SecurityEvent[];
  /** A failures-only rate limit: this failure is counted first; past the limit nothing else is spent. */
  rate?: RateWindow;
}

/**
 * What a wrong answer did. Only `counted` counted anything: an answer that found the account locked, or its
 * transaction with no attempt left (a parallel burst past the cap), was never a permitted guess.
 */
export type RejectOutcome =
  | {
      status: 'counted';
      /** The transaction's attempts after this one (null: no transaction). */
      attempts: number | null;
      /** Set when this failure began a lock: the account's pending sign-ins were burned with it. */
      lockBegan: Date | null;
      /** The email code had no try left: the answer was not compared (a parallel burst past its cap). */
      codeExhausted: boolean;
      /** The rate limit's window after counting this failure. */
      rate?: RateSeen;
    }
  | { status: 'locked'; until: Date; rate?: RateSeen }
  | { status: 'transaction-gone'; rate?: RateSeen }
  /** This failure went past the rate limit: it is counted, nothing else was spent or recorded. */
  | { status: 'rate-limited'; rate: RateSeen & { windowStart: Date } };

/** Storage port of the challenge module: two reads and two atomic writes. */
export interface ChallengeStore {
  /** The user's factor state; null for an unknown user. */
  factors(userId: string, now: Date): Promise<FactorState | null>;
  /**
   * The user a password sign-in names and their factor state, found and read in one go (null: nobody by that
   * identity). The user as stored; the state as offered (where the two differ: challenge/factors.ts).
   */
  factorsByLogin(identity: LoginIdentity, now: Date): Promise<{ user: UserRecord; state: FactorState } | null>;
  /** A transaction and its user's factor state in one read (the sign-in hot path). */
  transaction(idHash: Buffer, now: Date): Promise<{ transaction: LoginTransaction; state: FactorState } | null>;
  /** The user's backup code among `hashes` (its hash under every key), used or not: a repeat is a replay. */
  findBackupCode(userId: string, hashes: string[]): Promise<{ id: string; usedAt: Date | null } | null>;
  accept(write: AcceptWrite): Promise<AcceptOutcome>;
  reject(write: RejectWrite): Promise<RejectOutcome>;
}
