import type { AuditLog } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import { TwofoldError } from '../errors.ts';
import type { UserRecord } from '../users/user.ts';
import type { ClientKind, IssuedSession, RequestContext } from './session.ts';
import type { SessionStore } from './store.ts';

/**
 * How many signed-in sessions one account may hold through one client (Backendless' "Enable Multiple Logins"
 * app option): any number; one, a new sign-in ending the earlier ones (Backendless' default, "first user"
 * logged out); or at most `max`, a sign-in past it refused (Backendless' 3044).
 */
export type ConcurrentLogins = { kind: 'unlimited' } | { kind: 'replace' } | { kind: 'limit'; max: number };

export interface ConcurrentLoginDeps {
  sessions: SessionStore;
  clock: Clock;
  audit: AuditLog;
  /** Per client; a client without a rule has no limit. */
  rules: Partial<Record<ClientKind, ConcurrentLogins>>;
}

/**
 * Before a sign-in goes on (its password was right): past the client's limit it is refused. Counted when the
 * password is accepted, so two sign-ins racing for the last place may both get it.
 */
export async function admitLogin(deps: ConcurrentLoginDeps, user: UserRecord, context: RequestContext): Promise<void> {
  const rule = deps.rules[context.client];
  if (rule?.kind !== 'limit') return;
  const live = (await deps.sessions.listForUser(user.id, deps.clock.now())).filter((session) => session.client === context.client);
  if (live.length >= rule.max) throw new TwofoldError('too_many_sessions', { limit: rule.max });
}

/** Once a sign-in holds its session: under `replace`, the account's earlier sessions of that client end. */
export async function endEarlierLogins<T extends { user: UserRecord; issued: IssuedSession; repeated?: boolean }>(
  deps: ConcurrentLoginDeps,
  signedIn: T,
  context: RequestContext,
): Promise<T> {
  // A repeated request gets the session it already has: nothing new began.
  if (deps.rules[context.client]?.kind !== 'replace' || signedIn.repeated) return signedIn;
  const now = deps.clock.now();
  const earlier = (await deps.sessions.listForUser(signedIn.user.id, now)).filter(
    (session) => session.client === context.client && session.id !== signedIn.issued.session.id,
  );
  let ended = 0;
  for (const session of earlier) if (await deps.sessions.revoke(session.id, signedIn.user.id, now)) ended += 1;
  if (ended > 0) await deps.audit.record('sessions_revoked', signedIn.user.id, context, { count: ended, reason: `a new ${context.client} sign-in (one session at a time)` });
  return signedIn;
}
