import type { RateCharge } from '../limits/rate-limit.ts';
import type { AmrValue } from './amr.ts';

/** Which façade a session was issued through; shown to the user in their session list. */
export type ClientKind = 'rest' | 'backendless' | 'ddp' | 'rocketchat' | 'cli' | 'admin-api';

/** Who is asking: carried from the façade into the core for sessions, audit and rate limits. */
export interface RequestContext {
  client: ClientKind;
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** A failures-only rate limit the answer's write counts (rate-limit.ts `RateCharge`), when the façade hands it over. */
  rate?: RateCharge | undefined;
}

export interface Session {
  id: string;
  userId: string;
  client: ClientKind;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  /** Last time this session answered a second factor, and from where (the step-up window, remember-for). */
  secondFactorAt: Date | null;
  secondFactorIp: string | null;
  secondFactorUserAgent: string | null;
  /** Last time this session proved its password (at sign-in, or a step-up of a user with no factor). */
  passwordAt: Date;
  /** What the session proved, at sign-in and in step-ups since (RFC 8176 values, `sessions/amr.ts`). */
  amr: AmrValue[];
}

/** A freshly issued session: the only moment the bearer token exists outside the user's hands. */
export interface IssuedSession {
  session: Session;
  token: string;
}
