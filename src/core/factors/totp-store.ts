import type { TotpParams } from '../otp/totp.ts';

export interface TotpCredential {
  id: string;
  userId: string;
  /** `pending`: waits for its first code, does nothing before; `armed`: sign-in asks for it already; `active`. */
  state: 'pending' | 'armed' | 'active';
  /** Key-ring ciphertext of the raw key; the AAD is `totp:<id>`. */
  secretSealed: string;
  params: TotpParams;
  lastUsedStep: number | null;
  createdAt: Date;
  activatedAt: Date | null;
}

/**
 * Storage port for TOTP credentials. Activation, step claims and backup-code use happen in the challenge
 * store's atomic writes; what is left here are the changes no answer is spent on.
 */
export interface TotpStore {
  findById(id: string): Promise<TotpCredential | null>;
  /** Stores a new credential awaiting its first code, replacing the user's previous unconfirmed one (never the active one). */
  insertUnconfirmed(credential: TotpCredential): Promise<void>;
  /** Removes every TOTP credential and backup code of the user; returns how many credentials went. */
  removeAll(userId: string): Promise<number>;
}

export interface BackupCodeStore {
  replace(userId: string, hashes: string[], now: Date): Promise<void>;
  countUnused(userId: string): Promise<number>;
}

export interface QrLinkStore {
  insert(row: { idHash: Buffer; credentialId: string; expiresAt: Date }): Promise<void>;
  /** The credential a live link shows. */
  find(idHash: Buffer, now: Date): Promise<string | null>;
}
