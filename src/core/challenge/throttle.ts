/**
 * The account throttle across every second factor (and current-password checks): consecutive failures lock
 * the account's checks, doubling each time (RFC 4226 7.3, NIST SP 800-63B 5.2.2). Failures are counted by the
 * challenge module's reject write and reset by an accepted factor answer; this port holds what is left.
 */
export interface ThrottlePolicy {
  /** Consecutive failures that lock the account's second-factor checks. */
  failuresPerLockout: number;
  /** First lock; each further lock in a row doubles it. */
  baseLockSeconds: number;
  /** After this many consecutive failures the lock lasts until an operator lifts it (stored as year 9999). */
  maxConsecutiveFailures: number;
}

export interface ThrottleStore {
  /** Failures, lock and the doubling start over (an operator's unlock). */
  reset(userId: string): Promise<void>;
}
