export interface ThrottlePolicy {
  /** Consecutive failures that lock the account's second-factor checks. */
  failuresPerLockout: number;
  /** First lock; each further lock in a row doubles it. */
  baseLockSeconds: number;
  /** After this many consecutive failures the lock lasts until an operator lifts it (stored as year 9999). */
  maxConsecutiveFailures: number;
}

/** `lockedUntil` on a granted try: the lock this try will leave if it fails (it reached the threshold). */
export type Reservation = { granted: true; failures: number; lockedUntil: Date | null } | { granted: false; lockedUntil: Date };

/** Storage port for the account throttle; each method is one atomic statement. */
export interface ThrottleStore {
  /**
   * Counts a try as a failure before the code is checked (a success refunds it), locking the account
   * when the count reaches a multiple of the policy. Refused while a lock holds.
   */
  reserve(userId: string, now: Date, policy: ThrottlePolicy): Promise<Reservation>;
  /** A success: failures, lock and the doubling start over. */
  reset(userId: string): Promise<void>;
}
