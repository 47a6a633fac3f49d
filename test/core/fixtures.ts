import { createHash } from 'node:crypto';
import type { Clock } from '../../src/core/clock.ts';
import { createKeyRing, type KeyRing } from '../../src/core/crypto/keyring.ts';
import type { FactorState } from '../../src/core/challenge/factors.ts';
import type { TotpCredential } from '../../src/core/factors/totp-store.ts';
import { defaultTotpParams } from '../../src/core/otp/totp.ts';
import type { UserRecord } from '../../src/core/users/user.ts';

/**
 * Plain values for core tests that need no store: a key ring, a user, a clock that moves only when told.
 * (Tests of the core against stores use the in-memory ones.)
 */

/** A ring of fixed keys, the first one active: the same ring in every run, so failures reproduce. */
export function testKeyRing(ids: string[] = ['k1']): KeyRing {
  return createKeyRing(ids.map((id) => ({ id, key: createHash('sha256').update(`twofold test key ${id}`).digest() })));
}

export const T0 = new Date('2026-03-01T12:00:00.000Z');

/** A clock standing still at `T0` until moved. */
export class StillClock implements Clock {
  private ms = T0.getTime();
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(at: Date): void {
    this.ms = at.getTime();
  }
}

/** A password and its stored argon2id hash, made once: hashing it in every test run would cost a mutation run minutes. */
export const PASSWORD = 'DontDrinkAndDrive';
export const PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$RtUzs1EgE2g8PlQhreYLww$m1iLa2vgW3PoprWUXax7XrBxI8slQkbiALCiAHnWAik';

let users = 0;

/** A verified user with no second factor; override what a test is about. */
export function testUser(overrides: Partial<UserRecord> = {}): UserRecord {
  users += 1;
  const email = `user${users}@example.test`;
  return {
    id: `00000000-0000-4000-8000-${String(users).padStart(12, '0')}`,
    email,
    emailNormalized: email,
    username: null,
    emailVerifiedAt: T0,
    disabledAt: null,
    createdAt: T0,
    updatedAt: T0,
    passwordHash: 'not a password hash',
    emailTwoFactorEnabledAt: null,
    roles: [],
    setupDueAt: null,
    lockedByOwnerAt: null,
    ...overrides,
  };
}

/** The RFC 6238 SHA-1 key, as an authenticator app would hold it. */
export const RFC_KEY = new TextEncoder().encode('12345678901234567890');

let credentials = 0;

/** An authenticator credential sealed with `keyRing` (as stored), active unless told otherwise. */
export function totpCredential(
  keyRing: KeyRing,
  userId: string,
  overrides: Partial<Omit<TotpCredential, 'secretSealed'>> & { key?: Uint8Array } = {},
): TotpCredential {
  credentials += 1;
  const { key = RFC_KEY, ...rest } = overrides;
  const id = rest.id ?? `cred-${credentials}`;
  return {
    id,
    userId,
    state: 'active',
    secretSealed: keyRing.encrypt(key, `totp:${id}`),
    params: defaultTotpParams,
    lastUsedStep: null,
    // Set up the day before: an activation at T0 is a test's own doing.
    createdAt: new Date(T0.getTime() - 86_400_000),
    activatedAt: new Date(T0.getTime() - 86_400_000),
    ...rest,
  };
}

/** A user's factor state as the challenge store reads it: nothing set up unless told. */
export function factorState(user: UserRecord, overrides: Partial<Omit<FactorState, 'user'>> = {}): FactorState {
  return {
    user,
    throttle: { failures: 0, lockedUntil: null },
    authenticator: null,
    unconfirmed: null,
    emailCode: null,
    webauthnKeys: 0,
    ...overrides,
  };
}
