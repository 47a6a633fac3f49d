import type { AccountEvents } from '../audit/account-events.ts';
import { checkAnswer } from '../challenge/answer.ts';
import { authorise, type Asker } from '../challenge/asker.ts';
import { hasFactor } from '../challenge/factors.ts';
import { accountLocked, type ChallengeDeps } from '../challenge/require.ts';
import { TwofoldError } from '../errors.ts';
import { passwordDigest } from '../password.ts';
import type { UserStore } from './store.ts';
import type { UserRecord } from './user.ts';
import { hashNewPassword } from './registration.ts';

export interface PasswordChangeDeps {
  challenge: ChallengeDeps;
  users: UserStore;
  events: AccountEvents;
  /** A per-account cap on current-password checks, beside the lockout (throws `rate_limited`). */
  limitChecks(user: UserRecord): Promise<void>;
}

/**
 * Changes the password: a proof of a factor first (so a session holder without it learns nothing about the
 * password: threat 16), then the current password, checked like any answer (counted toward the lockout,
 * audited, rate limited), then the new one. Every other session ends; remembered devices are forgotten.
 */
export async function changePassword(
  deps: PasswordChangeDeps,
  user: UserRecord,
  input: { currentPassword: unknown; newPassword: unknown },
  asker: Asker,
): Promise<void> {
  const state = await deps.challenge.store.factors(user.id, deps.challenge.clock.now());
  if (!state) throw new TwofoldError('user_not_found');
  // For a user with no factor, the current password is the proof the policy asks for.
  if (hasFactor(state)) await authorise(deps.challenge, user, 'change-password', asker);
  if (typeof input.currentPassword !== 'string' || input.currentPassword === '') throw new TwofoldError('missing_password');
  const newHash = await hashNewPassword(input.newPassword);
  await deps.limitChecks(user);
  const result = await checkAnswer(deps.challenge, {
    state,
    answer: { kind: 'password', digest: passwordDigest(input.currentPassword) },
    target: { kind: 'none' },
    context: asker.context,
    operation: 'change-password',
    passwordAllowed: true,
    webauthnBinding: { purpose: 'step-up', boundTo: null },
    onAccept: () => ({}),
  });
  if (result.kind === 'locked') throw accountLocked(result.until, deps.challenge.clock.now());
  if (result.kind !== 'accepted') {
    await deps.events.audit.record('password_check_failed', user.id, asker.context, { operation: 'change-password' });
    throw new TwofoldError('invalid_credentials');
  }
  await deps.users.setPasswordHash(user.id, newHash, deps.challenge.clock.now());
  await deps.events.passwordChanged(user, asker.context, asker.session?.id ?? null);
}
