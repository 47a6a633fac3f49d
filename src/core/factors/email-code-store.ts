export interface LiveEmailCode {
  id: string;
  codeHash: string;
  expiresAt: Date;
}

/** Storage port for email codes: hashed, single use, expiring, a capped number of tries each. */
export interface EmailCodeStore {
  insert(row: { id: string; userId: string; codeHash: string; createdAt: Date; expiresAt: Date }): Promise<void>;
  /** The user's codes still usable now (unused, unexpired, tries left), newest first. */
  listLive(userId: string, now: Date, maxAttempts: number): Promise<LiveEmailCode[]>;
  /**
   * Takes one try from every live code of the user, atomically, before any comparison: a parallel
   * burst gets no more tries than the cap. Returns the codes that had a try left.
   */
  reserveAttempts(userId: string, now: Date, maxAttempts: number): Promise<LiveEmailCode[]>;
  /** Uses a code; only one caller ever gets true. */
  consume(id: string, now: Date): Promise<boolean>;
  /** Whether the user has unexpired, unused codes whose tries are all spent. */
  hasExhausted(userId: string, now: Date, maxAttempts: number): Promise<boolean>;
}
