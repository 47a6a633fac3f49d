import type { SecurityEvent } from '../audit/events.ts';
import type { AmrValue } from './amr.ts';
import type { UserRecord } from '../users/user.ts';
import type { ClientKind, Session } from './session.ts';

export interface NewSession {
  id: string;
  userId: string;
  tokenHash: Buffer;
  client: ClientKind;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  expiresAt: Date;
  /** Set when the sign-in answered a second factor: starts the step-up window and remember-for. */
  secondFactorAt: Date | null;
  /** What the sign-in proved (RFC 8176): always `pwd`, with the second factor's values and `mfa` when one passed. */
  amr: AmrValue[];
}

/** Storage port for sessions; tokens are known only by their hash. */
export interface SessionStore {
  /**
   * A new session, and the security events that record it written with it: both or neither, in one statement (a
   * password sign-in's session and its `login_succeeded` cost one round trip and one commit, not two).
   */
  insert(session: NewSession, events?: readonly SecurityEvent[]): Promise<Session>;
  /** The live (not revoked) session for a token hash, with its user. Expiry is judged by the caller. */
  findByTokenHash(tokenHash: Buffer): Promise<{ session: Session; user: UserRecord } | null>;
  /**
   * Records when sessions were last used, many in one statement; a time never moves a session's back, and a row
   * another writer holds right now is skipped (its next use is written by the next batch) rather than waited for.
   */
  touchMany(seen: ReadonlyArray<{ id: string; at: Date }>): Promise<void>;
  listForUser(userId: string, now: Date): Promise<Session[]>;
  revoke(id: string, userId: string, now: Date): Promise<boolean>;
  revokeAllForUser(userId: string, now: Date, exceptSessionId?: string): Promise<number>;
}
