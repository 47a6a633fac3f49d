import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { hashToken } from '../crypto/hash.ts';
import { generateToken } from '../crypto/random.ts';
import { TwofoldError } from '../errors.ts';
import type { UserRecord } from '../users/user.ts';
import type { IssuedSession, RequestContext, Session } from './session.ts';
import type { SessionStore } from './store.ts';

export interface SessionDeps {
  sessions: SessionStore;
  clock: Clock;
  ttlSeconds: number;
}

const TOUCH_INTERVAL_MS = 60_000;
const MAX_TOKEN_LENGTH = 256;

/**
 * Creates a session. Only `src/core/auth/session-gate.ts` calls this: it is the one place that decides
 * whether a login may become a session (password checked, second factor satisfied).
 */
export async function createSession(
  deps: SessionDeps,
  user: UserRecord,
  context: RequestContext,
  secondFactorVerified = false,
): Promise<IssuedSession> {
  const token = generateToken();
  const now = deps.clock.now();
  const session = await deps.sessions.insert({
    id: randomUUID(),
    userId: user.id,
    tokenHash: hashToken(token),
    client: context.client,
    ip: context.ip ?? null,
    userAgent: context.userAgent?.slice(0, 512) ?? null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + deps.ttlSeconds * 1000),
    secondFactorVerified,
  });
  return { session, token };
}

/** Resolves a bearer token to its live session and user, or throws `not_authenticated` / `session_expired`. */
export async function authenticateToken(
  deps: SessionDeps,
  token: string | undefined,
): Promise<{ session: Session; user: UserRecord }> {
  if (!token || token.length > MAX_TOKEN_LENGTH) throw new TwofoldError('not_authenticated');
  const found = await deps.sessions.findByTokenHash(hashToken(token));
  if (!found) throw new TwofoldError('not_authenticated');
  const now = deps.clock.now();
  if (found.session.expiresAt <= now) throw new TwofoldError('session_expired');
  if (found.user.disabledAt) throw new TwofoldError('user_disabled');
  await deps.sessions.touch(found.session.id, now, TOUCH_INTERVAL_MS);
  return found;
}

export async function revokeSession(deps: SessionDeps, userId: string, sessionId: string): Promise<void> {
  const revoked = await deps.sessions.revoke(sessionId, userId, deps.clock.now());
  if (!revoked) throw new TwofoldError('not_found');
}

export function listSessions(deps: SessionDeps, userId: string): Promise<Session[]> {
  return deps.sessions.listForUser(userId, deps.clock.now());
}
