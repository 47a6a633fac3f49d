import type { FactorChange as ChangeName } from '../audit/account-events.ts';
import type { FactorName } from '../notices.ts';
import type { WebAuthnCredential } from '../factors/webauthn/store.ts';

/** What a change does, one kind per factor and direction (migration 0016's `kind`). */
export type FactorChangeKind = 'totp-enable' | 'totp-replace' | 'totp-disable' | 'email-enable' | 'email-disable' | 'passkey-add' | 'passkey-remove';

/** What applying a change needs besides its user. A new authenticator's secret stays key-ring ciphertext. */
export type FactorChangePayload =
  /** A confirmed new authenticator: the store moves its waiting credential (sealed secret, spent step) in here. */
  | { kind: 'totp-enable' | 'totp-replace'; credentialId: string; backupCodeHashes: string[] }
  | { kind: 'totp-disable' | 'email-enable' | 'email-disable' }
  /** A verified new key: its public key and counter, as `webauthn_credentials` will hold them. */
  | { kind: 'passkey-add'; key: WebAuthnCredential }
  | { kind: 'passkey-remove'; keyId: string }
  /** A first factor, made at once and recorded only so that its veto link works: nothing to apply. */
  | { kind: 'totp-enable' | 'email-enable' | 'passkey-add'; appliedAlready: true };

export type FactorChangeStatus = 'pending' | 'applied' | 'vetoed' | 'failed';

/** A change as the owner and the applier see it: no payload, no token. */
export interface FactorChangeRecord {
  id: string;
  userId: string;
  kind: FactorChangeKind;
  /** The session that asked: kept when applying the change ends the user's other sessions. */
  sessionId: string | null;
  requestedAt: Date;
  applyAt: Date;
  status: FactorChangeStatus;
  settledAt: Date | null;
  /** A new key's name (`passkey-add`): a name a waiting key holds is not free for another (`webauthn_name_taken`). */
  keyName: string | null;
}

export interface NewFactorChange {
  id: string;
  userId: string;
  payload: FactorChangePayload;
  sessionId: string | null;
  requestedAt: Date;
  applyAt: Date;
  /** `applied`: a first factor, made at once; recorded so that its mailed veto link works. */
  status: 'pending' | 'applied';
  vetoTokenHash: Buffer;
  vetoUntil: Date;
}

/** Why a change could not be recorded. */
export type RecordRefusal =
  /** A change of the same factor (or key) already waits. */
  | 'duplicate'
  /** The authenticator to move in is no longer waiting (replaced or removed since it was confirmed). */
  | 'credential-gone';

/** Storage port of the veto window (migration 0016). Each method is one transaction, safe with many instances. */
export interface FactorChangeStore {
  /**
   * Records a change. For a new authenticator it also moves the waiting credential (`payload.credentialId`) out of
   * the user's credentials into the change, in the same transaction: it does nothing until applied.
   */
  insert(change: NewFactorChange): Promise<'recorded' | RecordRefusal>;
  /**
   * Applies due pending changes (of every user, or of one), each in its own transaction, claimed with
   * FOR UPDATE SKIP LOCKED: two appliers never apply the same change. `failed`: the change could not be made
   * (a key registered elsewhere meanwhile); the others are `applied`.
   */
  applyDue(now: Date, options: { userId?: string; limit: number }): Promise<FactorChangeRecord[]>;
  /** The user's changes still waiting, soonest first. */
  listPending(userId: string): Promise<FactorChangeRecord[]>;
  /**
   * The owner's veto, in one transaction: spends the link's token (once, before `vetoUntil`), vetoes every change of
   * its user still waiting, and locks the account (`users.locked_by_owner_at`). Null for an unknown, used or
   * expired token.
   */
  veto(tokenHash: Buffer, now: Date): Promise<{ userId: string; vetoed: FactorChangeRecord[] } | null>;
  /** Lifts the owner's lock (an operator's unlock); false for an unknown user. */
  unlock(userId: string, now: Date): Promise<boolean>;
}

/** What each kind is, in the words of the audit log and the mails. */
export function describeKind(kind: FactorChangeKind): { factor: FactorName; change: Exclude<ChangeName, 'backup_codes_regenerated'> } {
  switch (kind) {
    case 'totp-enable':
      return { factor: 'totp', change: 'enabled' };
    case 'totp-replace':
      return { factor: 'totp', change: 'replaced' };
    case 'totp-disable':
      return { factor: 'totp', change: 'disabled' };
    case 'email-enable':
      return { factor: 'email', change: 'enabled' };
    case 'email-disable':
      return { factor: 'email', change: 'disabled' };
    case 'passkey-add':
      return { factor: 'webauthn', change: 'enabled' };
    case 'passkey-remove':
      return { factor: 'webauthn', change: 'disabled' };
  }
}

/** What a change touches: one change per target may wait at a time (migration 0016's unique index). */
export function changeTarget(payload: FactorChangePayload, changeId: string): string {
  if ('appliedAlready' in payload) return `applied:${changeId}`;
  switch (payload.kind) {
    case 'passkey-add':
      return `passkey-add:${changeId}`;
    case 'passkey-remove':
      return `passkey:${payload.keyId}`;
    case 'email-enable':
    case 'email-disable':
      return 'email';
    default:
      return 'totp';
  }
}
