import type { UserRecord } from './user.ts';

export interface NewUser {
  id: string;
  email: string;
  emailNormalized: string;
  username: string | null;
  passwordHash: string;
  createdAt: Date;
}

/** Storage port for users. Implemented in `src/store`; every method is one atomic statement. */
export interface UserStore {
  /** Throws `TwofoldError('user_exists')` when the email or username is taken. */
  insert(user: NewUser): Promise<UserRecord>;
  findById(id: string): Promise<UserRecord | null>;
  findByEmail(emailNormalized: string): Promise<UserRecord | null>;
  findByUsername(username: string): Promise<UserRecord | null>;
  list(options: { limit: number; offset: number }): Promise<UserRecord[]>;
  setDisabled(id: string, disabledAt: Date | null, now: Date): Promise<UserRecord | null>;
  setEmailVerified(id: string, verifiedAt: Date | null, now: Date): Promise<UserRecord | null>;
  setEmailTwoFactor(id: string, enabledAt: Date | null, now: Date): Promise<UserRecord | null>;
  setPasswordHash(id: string, passwordHash: string, now: Date): Promise<void>;
  delete(id: string): Promise<boolean>;
}

export interface EmailVerificationStore {
  insert(row: { tokenHash: Buffer; userId: string; emailNormalized: string; createdAt: Date; expiresAt: Date }): Promise<void>;
  /**
   * Uses the token and marks the user's email verified, in one statement: succeeds once, only before expiry,
   * and only while the user still has the address the link was sent to.
   */
  consume(tokenHash: Buffer, now: Date): Promise<UserRecord | null>;
}
