import type { ChainedEvent } from '../../core/audit/chain.ts';
import type { LiveEmailCode } from '../../core/challenge/factors.ts';
import type { TrustedDevice } from '../../core/devices/store.ts';
import type { TotpCredential } from '../../core/factors/totp-store.ts';
import type { ChallengePurpose, WebAuthnCredential } from '../../core/factors/webauthn/store.ts';
import type { Session } from '../../core/sessions/session.ts';
import type { LoginTransaction } from '../../core/transactions/store.ts';
import type { Profile, ProfileColumn } from '../../core/users/profile.ts';
import type { UserRecord } from '../../core/users/user.ts';
import type { FactorChangePayload, FactorChangeRecord } from '../../core/factor-changes/store.ts';

/**
 * The rows of the SQL schema (migrations 0001–0011) as plain objects, shared by every memory store: what one
 * SQL statement changes in several tables, one port call changes here without awaiting in between, so each call
 * is as atomic as its statement. Binary keys (token and id hashes) are kept as hex.
 */
export interface UserRow extends UserRecord {
  /** When the enforcement policy first covered the user (migration 0015): kept so a grace is never renewed. */
  enforcementStartedAt: Date | null;
  factorFailures: number;
  factorLockedUntil: Date | null;
  factorLockouts: number;
}
export interface SessionRow extends Session {
  tokenHash: string;
}
export interface TransactionRow extends LoginTransaction {
  idHash: string;
}
export interface BackupCodeRow {
  id: string;
  userId: string;
  codeHash: string;
  createdAt: Date;
  usedAt: Date | null;
}
export interface EmailCodeRow extends LiveEmailCode {
  userId: string;
  usedAt: Date | null;
}
export interface DeviceRow extends TrustedDevice {
  tokenHash: string;
  revokedAt: Date | null;
}
export interface ChallengeRow {
  challengeHash: string;
  userId: string;
  purpose: ChallengePurpose;
  boundHash: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}
/** An emailed link (address verification, password reset), known by its token's hash. */
export interface LinkRow {
  tokenHash: string;
  userId: string;
  emailNormalized: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

/** A change held by the veto window (migration 0016); a new authenticator's credential is moved into it. */
/** A change as stored: the record's key name is read from the payload, as the SQL reads it. */
export interface FactorChangeRow extends Omit<FactorChangeRecord, 'keyName'> {
  target: string;
  payload: FactorChangePayload;
  moved: TotpCredential | null;
  vetoTokenHash: string;
  vetoUntil: Date;
  vetoUsedAt: Date | null;
}

export class MemoryTables {
  readonly users = new Map<string, UserRow>();
  /** By session id. */
  readonly sessions = new Map<string, SessionRow>();
  /** By id hash. */
  readonly transactions = new Map<string, TransactionRow>();
  readonly totp = new Map<string, TotpCredential>();
  readonly backupCodes = new Map<string, BackupCodeRow>();
  readonly emailCodes = new Map<string, EmailCodeRow>();
  /** By id hash. */
  readonly qrLinks = new Map<string, { credentialId: string; expiresAt: Date }>();
  readonly devices = new Map<string, DeviceRow>();
  readonly webauthn = new Map<string, WebAuthnCredential>();
  /** By challenge hash. */
  readonly challenges = new Map<string, ChallengeRow>();
  readonly verifications = new Map<string, LinkRow>();
  readonly resets = new Map<string, LinkRow>();
  /** Append-only, in insertion order; chained as migration 0010's trigger chains them. */
  readonly events: ChainedEvent[] = [];
  readonly chainHeads = new Map<string, { seq: number; hash: string | null }>();
  readonly rateLimits = new Map<string, { windowStart: Date; hits: number }>();
  readonly settings = new Map<string, string>();
  readonly profiles = new Map<string, { properties: Profile; updatedAt: Date }>();
  readonly profileColumns: Array<ProfileColumn & { firstSeenAt: Date }> = [];
  readonly factorChanges = new Map<string, FactorChangeRow>();

  /** A foreign key to `users`: writing a row for a user that is not there fails, as the SQL does. */
  requireUser(userId: string): UserRow {
    const user = this.users.get(userId);
    if (!user) throw Object.assign(new Error(`insert violates foreign key constraint: no user ${userId}`), { code: '23503' });
    return user;
  }

  /** ON DELETE CASCADE from a TOTP credential: its enrolment transactions and QR links go with it. */
  deleteCredential(id: string): void {
    this.totp.delete(id);
    deleteWhere(this.transactions, (t) => t.credentialId === id);
    deleteWhere(this.qrLinks, (q) => q.credentialId === id);
  }

  /** ON DELETE CASCADE from a user: every row that references it (security events keep their user id). */
  deleteUser(id: string): boolean {
    if (!this.users.delete(id)) return false;
    for (const credential of [...this.totp.values()]) if (credential.userId === id) this.deleteCredential(credential.id);
    const mine = (row: { userId: string }) => row.userId === id;
    for (const table of [this.sessions, this.transactions, this.backupCodes, this.emailCodes, this.devices, this.webauthn, this.challenges, this.verifications, this.resets, this.factorChanges]) {
      deleteWhere(table as Map<string, { userId: string }>, mine);
    }
    this.profiles.delete(id);
    return true;
  }
}

export function deleteWhere<V>(table: Map<string, V>, predicate: (row: V) => boolean): number {
  let deleted = 0;
  for (const [key, row] of table) {
    if (predicate(row)) {
      table.delete(key);
      deleted += 1;
    }
  }
  return deleted;
}

/** A unique index refusing a second row: the error carries PostgreSQL's SQLSTATE, as a driver's would. */
export function uniqueViolation(index: string): Error {
  return Object.assign(new Error(`duplicate key value violates unique constraint "${index}"`), { code: '23505' });
}

export function insertUnique<V>(table: Map<string, V>, key: string, row: V, index: string): void {
  if (table.has(key)) throw uniqueViolation(index);
  table.set(key, row);
}

export const hex = (buffer: Buffer) => buffer.toString('hex');

export const later = (a: Date, b: Date) => a.getTime() > b.getTime();

/** The user as the stores return it: no throttle columns. */
export function userRecord(row: UserRow): UserRecord {
  const { enforcementStartedAt: _e, factorFailures: _f, factorLockedUntil: _l, factorLockouts: _n, ...record } = row;
  return record;
}

export function sessionOfRow(row: SessionRow): Session {
  const { tokenHash: _t, ...session } = row;
  return session;
}
