import type { TotpCredential } from '../factors/totp-store.ts';
import type { ChallengeStore } from './store.ts';
import type { UserRecord } from '../users/user.ts';

/** A second factor a user can have. Backup codes belong to the authenticator (`totp`). */
export type FactorMethod = 'totp' | 'email' | 'webauthn';
/** What a challenge may ask for: a factor, or the password of a user who has none. */
export type ChallengeMethod = FactorMethod | 'password';

/** The one live email code of a user: stored as a peppered hash. */
export interface LiveEmailCode {
  id: string;
  codeHash: string;
  attempts: number;
  createdAt: Date;
  /** Start of the unbroken run of live codes this one continues (a resend replaces a code, keeping it). */
  liveSince: Date;
  expiresAt: Date;
}

/**
 * Everything a proof check needs to know about a user, read in one statement: the account and its
 * throttle, the authenticator credentials, the live email code and how many keys are registered.
 */
export interface FactorState {
  user: UserRecord;
  throttle: { failures: number; lockedUntil: Date | null };
  /** The active authenticator. */
  authenticator: TotpCredential | null;
  /**
   * A new authenticator awaiting its first code: `pending` (confirmed explicitly; does nothing before) or
   * `armed` (the Backendless seed's enable2FA: sign-in asks for a code from then on, and its first code
   * activates it).
   */
  unconfirmed: TotpCredential | null;
  emailCode: LiveEmailCode | null;
  webauthnKeys: number;
}

/** Email codes go to verified addresses only: an unverified one cannot carry them. */
export const emailFactorOn = (user: UserRecord) => user.emailTwoFactorEnabledAt !== null && user.emailVerifiedAt !== null;

/** The authenticator credentials a sign-in code may come from: the active one, and an armed replacement. */
export function signInAuthenticators(state: FactorState): TotpCredential[] {
  const armed = state.unconfirmed?.state === 'armed' ? state.unconfirmed : null;
  return [state.authenticator, armed].filter((c): c is TotpCredential => c !== null);
}

/**
 * The user's second factors in the order a challenge prefers them: totp, email, then webauthn (last,
 * because code-only clients list it but cannot always answer it). An armed authenticator counts.
 */
export function availableMethods(state: FactorState): FactorMethod[] {
  const methods: FactorMethod[] = [];
  if (signInAuthenticators(state).length > 0) methods.push('totp');
  if (emailFactorOn(state.user)) methods.push('email');
  if (state.webauthnKeys > 0) methods.push('webauthn');
  return methods;
}

export const hasFactor = (state: FactorState) => availableMethods(state).length > 0;

/**
 * Which code factors this server offers (Rocket.Chat's per-method settings) and whether a new account starts with
 * email codes on (its auto opt-in). Passkeys are always offered.
 */
export interface FactorSettings {
  totp: boolean;
  email: boolean;
  emailAutoOptIn: boolean;
}

/**
 * The state as the server's settings leave it: a factor the server does not offer is, for every check, one the
 * user does not have (no challenge names it, no answer proves it, sign-in does not ask for it). What the user set
 * up is kept and counts again once the factor is offered again, as in Rocket.Chat.
 */
export function offeredState(state: FactorState, settings: FactorSettings): FactorState {
  if (settings.totp && settings.email) return state;
  return {
    ...state,
    authenticator: settings.totp ? state.authenticator : null,
    unconfirmed: settings.totp ? state.unconfirmed : null,
    user: settings.email ? state.user : { ...state.user, emailTwoFactorEnabledAt: null },
  };
}

/** The challenge store seen through the settings: every reader of factor state gets the offered state. */
export function offeredFactors(store: ChallengeStore, settings: FactorSettings): ChallengeStore {
  return {
    findBackupCode: (userId, hashes) => store.findBackupCode(userId, hashes),
    accept: (write) => store.accept(write),
    reject: (write) => store.reject(write),
    factors: async (userId, now) => {
      const state = await store.factors(userId, now);
      return state && offeredState(state, settings);
    },
    factorsByLogin: async (identity, now) => {
      const found = await store.factorsByLogin(identity, now);
      return found && { user: found.user, state: offeredState(found.state, settings) };
    },
    transaction: async (idHash, now) => {
      const found = await store.transaction(idHash, now);
      return found && { ...found, state: offeredState(found.state, settings) };
    },
  };
}
