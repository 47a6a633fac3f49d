import type { AccountEvents } from '../audit/account-events.ts';
import { hashToken } from '../crypto/hash.ts';
import { TwofoldError } from '../errors.ts';
import type { RequestContext } from '../sessions/session.ts';
import type { LoginTransactionStore } from '../transactions/store.ts';
import type { UserStore } from '../users/store.ts';
import type { VetoWindowDeps } from './request.ts';

export interface VetoDeps extends Pick<VetoWindowDeps, 'store' | 'clock'> {
  users: UserStore;
  transactions: LoginTransactionStore;
  events: AccountEvents;
}

/**
 * The owner's "this wasn't me", from the link in a factor-change mail (no session: the owner may be signed out, or
 * the thief may have ended their sessions). Every change of the user still waiting is cancelled, every session,
 * remembered device and pending sign-in ends, and the account is locked until an operator unlocks it: whoever made
 * the change knows the password, and maybe a factor. The token works once, for its own user only.
 */
export async function vetoChanges(deps: VetoDeps, token: unknown, context: RequestContext | null): Promise<void> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 128) throw new TwofoldError('veto_token_invalid');
  const now = deps.clock.now();
  const result = await deps.store.veto(hashToken(token), now);
  if (!result) throw new TwofoldError('veto_token_invalid');
  const user = await deps.users.findById(result.userId);
  if (!user) throw new TwofoldError('veto_token_invalid');
  await deps.events.audit.record('factor_change_vetoed', user.id, context, { cancelled: result.vetoed.map((c) => ({ changeId: c.id, kind: c.kind })) });
  await deps.events.audit.record('account_locked_by_owner', user.id, context);
  await deps.events.endOtherSessions(user, context, null, 'factor change vetoed by the owner');
  await deps.transactions.burnAllForUser(user.id, now);
}
