/** A registered passkey or security key, as the core sees it. The public key is COSE-encoded. */
export interface WebAuthnCredential {
  id: string;
  userId: string;
  /** The authenticator's credential id (base64url), as browsers send it back. */
  credentialId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Two names of one user's keys clash when they read alike, letter case aside (migration 0021's unique index). */
export const sameKeyName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export type ChallengePurpose = 'register' | 'login' | 'step-up';

/** What a challenge was issued for; it verifies only for the same binding. */
export interface ChallengeBinding {
  userId: string;
  purpose: ChallengePurpose;
  /** Hash of what else it belongs to: the login transaction's id, or the session asking for a step-up. */
  boundTo?: Buffer | null;
}

/** Storage port for keys and their challenges. */
export interface WebAuthnStore {
  /**
   * Stores a new key: `duplicate` when the authenticator's key is registered already (by anyone), `name_taken` when
   * another key of the user has its name (letter case aside; checked by the write itself, so parallel writes agree).
   */
  insert(credential: WebAuthnCredential): Promise<'inserted' | 'duplicate' | 'name_taken'>;
  listForUser(userId: string): Promise<WebAuthnCredential[]>;
  countForUser(userId: string): Promise<number>;
  findByCredentialId(credentialId: string): Promise<WebAuthnCredential | null>;
  /** Renames the user's key unless another key of the user has the name (letter case aside), in one statement. */
  rename(id: string, userId: string, name: string): Promise<'renamed' | 'not_found' | 'name_taken'>;
  remove(id: string, userId: string): Promise<boolean>;
  removeAll(userId: string): Promise<number>;

  saveChallenge(challengeHash: Buffer, binding: ChallengeBinding, now: Date, expiresAt: Date): Promise<void>;
  /** Marks a live challenge used when it matches the binding; only one caller ever gets true. */
  consumeChallenge(challengeHash: Buffer, binding: ChallengeBinding, now: Date): Promise<boolean>;
  /**
   * Whether a challenge is live and matches the binding, without spending it: a sign-in or step-up answer spends
   * it with the rest of what it changes, in one atomic write (the challenge module), together with the counter.
   */
  isChallengeLive(challengeHash: Buffer, binding: ChallengeBinding, now: Date): Promise<boolean>;
}
