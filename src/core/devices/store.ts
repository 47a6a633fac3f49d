/** A device its user chose to remember after passing a second factor. Known here only by its token's hash. */
export interface TrustedDevice {
  id: string;
  userId: string;
  /** What the user will recognise it by: derived from the user agent that was remembered. */
  label: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
}

export interface TrustedDeviceStore {
  insert(device: TrustedDevice, tokenHash: Buffer): Promise<void>;
  /**
   * Records a login from the device when its token belongs to this user and is live (not expired or revoked).
   * Returns the device, or null: a foreign, expired or revoked token is simply not trusted.
   */
  use(tokenHash: Buffer, userId: string, now: Date): Promise<TrustedDevice | null>;
  /** The live device of a token, without recording a use (a repeated sign-in looks its device up again). */
  find(tokenHash: Buffer, userId: string, now: Date): Promise<TrustedDevice | null>;
  listForUser(userId: string, now: Date): Promise<TrustedDevice[]>;
  revoke(id: string, userId: string, now: Date): Promise<boolean>;
  revokeAllForUser(userId: string, now: Date): Promise<number>;
}
