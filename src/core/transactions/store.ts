export type TransactionPurpose = 'login' | 'enroll';

export interface LoginTransaction {
  userId: string;
  purpose: TransactionPurpose;
  /** For `enroll`: the pending credential the first code confirms. */
  credentialId: string | null;
  attempts: number;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
  burnedAt: Date | null;
}

/** Storage port for login transactions (the Backendless `transactionId`), known only by the hash of their id. */
export interface LoginTransactionStore {
  insert(idHash: Buffer, transaction: Omit<LoginTransaction, 'attempts' | 'consumedAt' | 'burnedAt'>): Promise<void>;
  find(idHash: Buffer): Promise<LoginTransaction | null>;
  /**
   * Takes one guess from the transaction's allowance before the code is checked, so a parallel burst
   * cannot get more guesses than the cap. Returns the attempt number, or null when none is left
   * (or the transaction is used, burned or expired).
   */
  reserveAttempt(idHash: Buffer, now: Date, maxAttempts: number): Promise<number | null>;
  /** Marks the transaction used; only one caller ever gets true. */
  consume(idHash: Buffer, now: Date): Promise<boolean>;
  burn(idHash: Buffer, now: Date): Promise<void>;
  burnAllForUser(userId: string, now: Date): Promise<number>;
}
