import type { TotpParams } from '../otp/totp.ts';

export interface TotpCredential {
  id: string;
  userId: string;
  state: 'pending' | 'active';
  /** Key-ring ciphertext of the raw key; the AAD is `totp:<id>`. */
  secretSealed: string;
  params: TotpParams;
  lastUsedStep: number | null;
  createdAt: Date;
  activatedAt: Date | null;
}

/** Storage port for TOTP credentials. Each method is one atomic statement or transaction. */
export interface TotpStore {
  findActive(userId: string): Promise<TotpCredential | null>;
  findPending(userId: string): Promise<TotpCredential | null>;
  findById(id: string): Promise<TotpCredential | null>;
  /** Stores a pending credential, replacing the user's previous pending one (never the active one). */
  insertPending(credential: TotpCredential): Promise<void>;
  /** Compare-and-set: records `step` as used only if it is above the last used step. False means replay. */
  claimStep(id: string, step: number): Promise<boolean>;
  /**
   * Promotes a pending credential to active, retiring the previous active one and replacing the
   * user's backup codes, all in one transaction. False if the credential is no longer pending.
   */
  activate(id: string, userId: string, now: Date, backupCodeHashes: string[]): Promise<boolean>;
  /** Removes every TOTP credential and backup code of the user; returns how many credentials went. */
  removeAll(userId: string): Promise<number>;
}

export interface BackupCodeStore {
  replace(userId: string, hashes: string[], now: Date): Promise<void>;
  /** Marks one unused code among `hashes` used, atomically; false when none matches. */
  consume(userId: string, hashes: string[], now: Date): Promise<boolean>;
  countUnused(userId: string): Promise<number>;
}

export interface QrLinkStore {
  insert(row: { idHash: Buffer; credentialId: string; expiresAt: Date }): Promise<void>;
  /** The credential a live link shows. */
  find(idHash: Buffer, now: Date): Promise<string | null>;
}
