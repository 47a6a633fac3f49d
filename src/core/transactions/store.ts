/**
 * `login`: a password was right, the second factor is pending. `register`: a new account confirms its first
 * authenticator and signs in. `enroll`: a signed-in user confirms a new authenticator (proves only that).
 */
export type TransactionPurpose = 'login' | 'register' | 'enroll';

export interface LoginTransaction {
  userId: string;
  purpose: TransactionPurpose;
  /** For `register` and `enroll`: the credential the first code confirms. */
  credentialId: string | null;
  attempts: number;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
  burnedAt: Date | null;
  /** Peppered hash of the answer that completed it: the same answer again is a retry, not a replay. */
  answerHash: string | null;
}

/** Storage port for login transactions (the Backendless `transactionId`), known only by the hash of their id. */
export interface LoginTransactionStore {
  insert(idHash: Buffer, transaction: Omit<LoginTransaction, 'attempts' | 'consumedAt' | 'burnedAt' | 'answerHash'>): Promise<void>;
  find(idHash: Buffer): Promise<LoginTransaction | null>;
  burn(idHash: Buffer, now: Date): Promise<void>;
  burnAllForUser(userId: string, now: Date): Promise<number>;
}
