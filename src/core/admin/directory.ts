import type { UserRecord } from '../users/user.ts';

/**
 * A user as an operator sees them: the account and the state of each factor — whether it is set, since when,
 * and when it was last used. Never a secret, a hash or a code: only times, counts and names.
 */
export interface UserFactorStatus {
  user: UserRecord;
  totp: { setAt: Date; lastUsedAt: Date | null } | null;
  email: { setAt: Date; lastUsedAt: Date | null } | null;
  passkeys: Array<{ id: string; name: string; createdAt: Date; lastUsedAt: Date | null; synced: boolean }>;
  backupCodes: { remaining: number; setAt: Date; lastUsedAt: Date | null } | null;
  rememberedDevices: number;
  liveSessions: number;
  lockedUntil: Date | null;
}

export interface DirectoryQuery {
  /** Part of an email address or username, case-insensitive; empty: everyone. */
  search: string;
  /** Only users with (true) or without (false) a second factor. */
  hasSecondFactor?: boolean;
  limit: number;
  offset: number;
}

/** Storage port of the operator's view of accounts. */
export interface AdminDirectoryStore {
  search(query: DirectoryQuery, now: Date): Promise<UserFactorStatus[]>;
  status(userId: string, now: Date): Promise<UserFactorStatus | null>;
  /** For the `/metrics` gauge: users with an active second factor, and without. */
  secondFactorCounts(): Promise<{ with: number; without: number }>;
}

/** The account as an operator's tools show it (the CLI's `--json`, the admin API): no hash, no secret. */
export function accountSummary(user: UserRecord) {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    emailVerified: user.emailVerifiedAt !== null,
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}

export const hasSecondFactor = (status: UserFactorStatus) => status.totp !== null || status.email !== null || status.passkeys.length > 0;
