import type { AccountEvents } from '../audit/account-events.ts';
import { authorise, type Asker } from '../challenge/asker.ts';
import type { ChallengeDeps } from '../challenge/require.ts';
import type { UserRecord } from '../users/user.ts';

export interface RevokeOthersDeps {
  challenge: ChallengeDeps;
  events: AccountEvents;
}

/**
 * "Sign out all other sessions": every other session ends and remembered devices are forgotten. A proof first (the
 * policy table's `revoke-other-sessions` row): a stolen session must not be able to sign the owner out everywhere
 * else and keep the account to itself.
 */
export async function revokeOtherSessions(deps: RevokeOthersDeps, user: UserRecord, asker: Asker): Promise<void> {
  await authorise(deps.challenge, user, 'revoke-other-sessions', asker);
  await deps.events.endOtherSessions(user, asker.context, asker.session?.id ?? null, 'signed out by the user');
}
