import type { Clock } from '../clock.ts';
import { TwofoldError } from '../errors.ts';
import type { UserRecord } from '../users/user.ts';
import type { ThrottlePolicy, ThrottleStore } from './throttle-store.ts';

export interface ThrottleDeps {
  throttle: ThrottleStore;
  policy: ThrottlePolicy;
  clock: Clock;
  /** A lockout just began: burn the account's pending logins, tell the user (security.md threats 4, 7, 13). */
  onLockout(user: UserRecord, until: Date): Promise<void>;
}

/** Defaults of shared/spec/security.md: 10 failures lock 15 minutes, doubling; 100 in a row lock until an operator acts. */
export const defaultThrottlePolicy: ThrottlePolicy = { failuresPerLockout: 10, baseLockSeconds: 15 * 60, maxConsecutiveFailures: 100 };

/**
 * Runs one second-factor check under the account throttle, whatever the factor or the path. The try
 * is counted before the check (so a parallel burst cannot slip past the limit) and refunded by a success.
 */
export async function throttledCheck<R>(deps: ThrottleDeps, user: UserRecord, check: () => Promise<R>, succeeded: (result: R) => boolean): Promise<R> {
  const reservation = await deps.throttle.reserve(user.id, deps.clock.now(), deps.policy);
  if (!reservation.granted) throw lockedError(deps, reservation.lockedUntil);
  const result = await check();
  if (succeeded(result)) {
    await deps.throttle.reset(user.id);
  } else if (reservation.lockedUntil && reservation.lockedUntil > deps.clock.now()) {
    await deps.onLockout(user, reservation.lockedUntil);
  }
  return result;
}

function lockedError(deps: ThrottleDeps, until: Date): TwofoldError {
  // The store writes year 9999 for "until an operator unlocks" (NIST SP 800-63B: at most 100 in a row).
  const permanent = until.getUTCFullYear() >= 9999;
  return new TwofoldError('account_locked', {
    retryAt: permanent ? null : until.toISOString(),
    retryAfterSeconds: permanent ? null : Math.max(1, Math.ceil((until.getTime() - deps.clock.now().getTime()) / 1000)),
  });
}
