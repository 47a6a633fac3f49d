import type { Clock } from '../clock.ts';
import { TwofoldError } from '../errors.ts';
import { hasFactor } from '../challenge/factors.ts';
import type { ChallengeStore } from '../challenge/store.ts';
import type { UserRecord } from '../users/user.ts';

/**
 * What a request needs of its session: `full` (the default of every call), or `setup`, declared by the few calls
 * a user past their setup deadline may still make: read who they are, set up a factor, sign out. A call that
 * declares nothing is refused to such a session, so a route added later cannot slip past enforcement (the
 * recurring bug of "enforced" 2FA that does not hold on API paths).
 */
export type SessionAccess = 'full' | 'setup';

/** A covered user without a second factor: until when they may set one up, and whether that time has passed. */
export interface SetupRequirement {
  dueAt: Date;
  restricted: boolean;
}

export interface SetupDeps {
  /** Factor state as the server's settings leave it (a factor the server does not offer does not count). */
  store: Pick<ChallengeStore, 'factors'>;
  clock: Clock;
}

/** Null for a user the policy does not cover or who has a factor; costs a read only for covered users. */
export async function setupRequirement(deps: SetupDeps, user: UserRecord): Promise<SetupRequirement | null> {
  if (!user.setupDueAt) return null;
  const now = deps.clock.now();
  const state = await deps.store.factors(user.id, now);
  if (state && hasFactor(state)) return null;
  return { dueAt: user.setupDueAt, restricted: user.setupDueAt <= now };
}

/**
 * The gate every authenticated call passes (`core.auth.authenticate`). Free for users before their deadline or
 * outside the policy (the deadline is on the user row read with the session); past it, one read of the factor
 * state, so that enrolling a factor lifts the restriction at the session's next request and removing the last
 * one brings it back.
 */
export async function enforceSetup(deps: SetupDeps, user: UserRecord, access: SessionAccess): Promise<void> {
  if (access === 'setup' || !user.setupDueAt || user.setupDueAt > deps.clock.now()) return;
  const requirement = await setupRequirement(deps, user);
  if (requirement?.restricted) throw new TwofoldError('second_factor_setup_required', { deadline: requirement.dueAt.toISOString() });
}
