import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { hashToken } from '../crypto/hash.ts';
import { generateToken } from '../crypto/random.ts';
import type { SecurityEvent } from '../audit/events.ts';
import { TwofoldError } from '../errors.ts';
import type { UserRecord } from '../users/user.ts';
import { combineAmr, type AmrValue } from './amr.ts';
import type { IssuedSession, RequestContext, Session } from './session.ts';
import type { NewSession, SessionStore } from './store.ts';
import type { LastSeen } from './last-seen.ts';

export interface SessionDeps {
  sessions: SessionStore;
  clock: Clock;
  ttlSeconds: number;
  /** A session unused this long ends (SESSION_IDLE_SECONDS), whatever its lifetime says. */
  idleSeconds: number;
  /** Sessions' last uses, written in batches (`last-seen.ts`): using a session costs no write of its own. */
  lastSeen: LastSeen;
}

const MAX_TOKEN_LENGTH = 256;

/**
 * The row of a new session for `token`; only sign-in (`core/auth`, `core/challenge/sign-in`) issues sessions.
 * `secondFactor`: what the sign-in's second factor proved (its `amr` values), or null when none was answered.
 */
export function newSession(
  deps: Pick<SessionDeps, 'clock' | 'ttlSeconds'>,
  user: UserRecord,
  context: RequestContext,
  token: string,
  secondFactor: readonly AmrValue[] | null,
): NewSession {
  const now = deps.clock.now();
  return {
    id: randomUUID(),
    userId: user.id,
    tokenHash: hashToken(token),
    client: context.client,
    ip: context.ip ?? null,
    userAgent: context.userAgent?.slice(0, 512) ?? null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + deps.ttlSeconds * 1000),
    secondFactorAt: secondFactor ? now : null,
    amr: combineAmr(['pwd'], secondFactor ?? []),
  };
}

/** The session a new row becomes once written (built here: the sign-in hot path does not read it back). */
export function sessionOf(row: NewSession): Session {
  return {
    id: row.id,
    userId: row.userId,
    client: row.client,
    ip: row.ip,
    userAgent: row.userAgent,
    createdAt: row.createdAt,
    lastSeenAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: null,
    secondFactorAt: row.secondFactorAt,
    secondFactorIp: row.secondFactorAt ? row.ip : null,
    secondFactorUserAgent: row.secondFactorAt ? row.userAgent : null,
    passwordAt: row.createdAt,
    amr: row.amr,
  };
}

/**
 * A session for a sign-in that needs no second factor now (none set up, or a remembered device), written together
 * with the events that record it.
 */
export async function createSession(deps: SessionDeps, user: UserRecord, context: RequestContext, events: readonly SecurityEvent[] = []): Promise<IssuedSession> {
  const token = generateToken();
  return { session: await deps.sessions.insert(newSession(deps, user, context, token, null), events), token };
}

/** Resolves a bearer token to its live session and user, or throws `not_authenticated` / `session_expired`. */
export async function authenticateToken(deps: SessionDeps, token: string | undefined): Promise<{ session: Session; user: UserRecord }> {
  if (!token || token.length > MAX_TOKEN_LENGTH) throw new TwofoldError('not_authenticated');
  const found = await deps.sessions.findByTokenHash(hashToken(token));
  if (!found) throw new TwofoldError('not_authenticated');
  const now = deps.clock.now();
  if (found.session.expiresAt <= now) throw new TwofoldError('session_expired');
  // An idle timeout (OWASP ASVS 3.3.2): a token left behind somewhere stops working on its own.
  if (idle(deps, found.session, now)) throw new TwofoldError('session_expired', { reason: 'idle' });
  if (found.user.disabledAt) throw new TwofoldError('user_disabled');
  await deps.lastSeen.note(found.session, now);
  return found;
}

export async function revokeSession(deps: SessionDeps, userId: string, sessionId: string): Promise<void> {
  const revoked = await deps.sessions.revoke(sessionId, userId, deps.clock.now());
  if (!revoked) throw new TwofoldError('not_found');
}

/** The user's live sessions, most recently used first (a use not yet written counts). */
export async function listSessions(deps: SessionDeps, userId: string): Promise<Session[]> {
  const sessions = (await deps.sessions.listForUser(userId, deps.clock.now())).map((s) => deps.lastSeen.current(s));
  return sessions.sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
}

function idle(deps: SessionDeps, session: Session, now: Date): boolean {
  return deps.idleSeconds > 0 && now.getTime() - deps.lastSeen.of(session).getTime() > deps.idleSeconds * 1000;
}

/**
 * What an app backend learns of a bearer token (RFC 7662 token introspection): its live session and user, or
 * null for anything else — unknown, revoked, expired, idle, a disabled account — without saying which.
 * Asking is not the user's activity: the session is not touched.
 */
export async function introspectToken(deps: SessionDeps, token: unknown): Promise<{ session: Session; user: UserRecord } | null> {
  if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH) return null;
  const found = await deps.sessions.findByTokenHash(hashToken(token));
  if (!found) return null;
  const now = deps.clock.now();
  if (found.session.expiresAt <= now || found.user.disabledAt) return null;
  if (idle(deps, found.session, now)) return null;
  return found;
}
