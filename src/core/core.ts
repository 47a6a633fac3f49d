import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Admin } from './admin/admin.ts';
import type { EnforcementAdmin } from './enforcement/admin.ts';
import type { SessionAccess, SetupRequirement } from './enforcement/setup.ts';
import type { SecurityEvent } from './audit/events.ts';
import type { PasswordLoginInput } from './auth/password-login.ts';
import type { PendingStyle, SignInResult } from './auth/sign-in.ts';
import type { Asker } from './challenge/asker.ts';
import type { ChallengePass } from './challenge/pass.ts';
import type { AppOperation, OperationName } from './challenge/policy.ts';
import type { Proof } from './challenge/proof.ts';
import type { CompleteInput, SignedIn } from './challenge/sign-in.ts';
import type { TrustedDevice } from './devices/store.ts';
import type { AuthenticatorStatus, EnrolmentKind, TotpEnrollment } from './factors/authenticator.ts';
import type { WebAuthnCredential } from './factors/webauthn/store.ts';
import type { RateCharge, RateRuleName, RateVerdict } from './limits/rate-limit.ts';
import type { RequestContext, Session } from './sessions/session.ts';
import type { RegistrationInput } from './users/registration.ts';
import type { Profile, ProfileColumn } from './users/profile.ts';
import type { Registered, SignUpOptions } from './users/sign-up.ts';
import type { User, UserRecord } from './users/user.ts';
import type { ChangeOutcome } from './factor-changes/request.ts';
import type { FactorChangeRecord } from './factor-changes/store.ts';

/** A protected operation's caller, by user id. */
export type ProtectedRequest = Asker & { userId: string };

/**
 * The core's public face: what façades (REST, Backendless, DDP) and the CLI may ask. Everything here speaks
 * in users, sessions, proofs and typed errors (`TwofoldError`); nothing knows a wire format.
 */
export interface Core {
  auth: {
    /**
     * Creates an account with its `profile` properties (and mails its verification link). With `authenticator`,
     * starts its first one: `pending` does nothing until its first code completes the returned transaction;
     * `armed` (the Backendless seed's `totpAuthEnabled`) makes sign-in ask for it at once. `conceal`: this wire may
     * answer an address that already has an account like a new one (REGISTRATION_PRIVACY; the owner is mailed);
     * products with a documented "exists" answer (Backendless 3033) do not ask for it.
     */
    register(input: RegistrationInput, options?: SignUpOptions): Promise<Registered>;
    /** A password sign-in: a session, or a second factor pending (a transaction, or a thrown challenge). */
    signIn(input: PasswordLoginInput, context: RequestContext, options?: { style?: PendingStyle; deviceToken?: unknown; preferredMethod?: unknown }): Promise<SignInResult>;
    /** A password sign-in carrying its second factor (DDP `{totp: {login, code}}`). */
    signInWithAnswer(input: PasswordLoginInput, proof: Proof | null, context: RequestContext): Promise<Extract<SignInResult, { kind: 'session' }>>;
    /** Completes a sign-in or registration transaction with an answer. */
    completeSecondFactor(input: CompleteInput, context: RequestContext): Promise<SignedIn>;
    /** Options to answer a pending sign-in with a key; their challenge is bound to the transaction. */
    webauthnOptions(transactionId: unknown): Promise<PublicKeyCredentialRequestOptionsJSON>;
    /**
     * The live session of a token and its user. `access`: what the call needs (`full` unless it is one of the few
     * a user past their setup deadline may make: `setup`); a session that lacks it is refused with
     * `second_factor_setup_required`.
     */
    authenticate(token: string | undefined, access?: SessionAccess): Promise<{ session: Session; user: UserRecord }>;
    /** Whether the enforcement policy wants this user to set up a second factor, and by when (null: it does not). */
    setupRequirement(user: UserRecord): Promise<SetupRequirement | null>;
    signOut(token: string | undefined): Promise<void>;
    confirmEmail(token: unknown): Promise<UserRecord>;
    resendVerification(userId: string): Promise<void>;
    /** A new verification link for an address, without a session: answers alike for any address (no user oracle). */
    resendVerificationTo(email: unknown): Promise<void>;
    /** Mails a single-use reset link to the account at `email`, if any: answers alike for any address, in the same time. */
    requestPasswordReset(email: unknown, context: RequestContext | null): Promise<void>;
    /** Sets the password with a reset link's token; ends every session and remembered device. The second factor stays. */
    resetPassword(token: unknown, password: unknown, context: RequestContext | null): Promise<void>;
  };
  challenge: {
    /**
     * The "second factor required" check for an operation (twofold's own or an app's): a pass when the proof is
     * enough; else `second_factor_required` with the challenge, or the refusal, is thrown.
     */
    require(request: ProtectedRequest & { operation: OperationName | AppOperation }): Promise<ChallengePass>;
  };
  factors: {
    totp: {
      status(userId: string): Promise<AuthenticatorStatus>;
      enrol(userId: string, asker: Asker, kind?: Exclude<EnrolmentKind, { mode: 'register' }>): Promise<TotpEnrollment>;
      /** `pendingUntil` (only under the veto window, for a user who already has a factor): when the new authenticator takes effect. */
      confirm(userId: string, code: Proof | null, asker: Asker, operation?: OperationName): Promise<{ backupCodes: string[]; pendingUntil?: Date }>;
      disable(userId: string, asker: Asker, operation?: OperationName): Promise<ChangeOutcome>;
      /** The otpauth:// URI behind a QR link, while its authenticator waits for its first code. */
      qrUri(qrId: string): Promise<string>;
    };
    backup: {
      regenerate(userId: string, asker: Asker): Promise<{ backupCodes: string[] }>;
    };
    email: {
      enable(userId: string, asker: Asker): Promise<ChangeOutcome>;
      disable(userId: string, asker: Asker): Promise<ChangeOutcome>;
      /** Mails a new code (Rocket.Chat's `sendEmailCode`); addresses come back masked unless `requesterId` is the user. */
      sendCode(emailOrUsername: string, requesterId?: string | null): Promise<string[]>;
      /**
       * Whether a sign-in offers this user a code by email: they turned email codes on, their address is verified,
       * and this server offers email codes (EMAIL_CODES_ENABLED). What the user set is kept when the server does not.
       */
      signInOffers(user: UserRecord): boolean;
    };
    webauthn: {
      registrationOptions(userId: string, asker: Asker): Promise<PublicKeyCredentialCreationOptionsJSON>;
      /** Under the veto window (a user who already has a factor) the verified key is stored when `pendingUntil` comes. */
      register(userId: string, name: unknown, response: unknown, context: RequestContext | null, sessionId?: string | null): Promise<WebAuthnCredential & ChangeOutcome>;
      list(userId: string): Promise<WebAuthnCredential[]>;
      remove(userId: string, id: string, asker: Asker): Promise<ChangeOutcome>;
      /** Renames a key; another key of the user with the name is `webauthn_name_taken`. */
      rename(userId: string, id: string, name: unknown): Promise<WebAuthnCredential>;
    };
  };
  /**
   * The veto window on factor changes (FACTOR_CHANGE_VETO_SECONDS): changes of a user who already has a factor wait,
   * and the owner can cancel them from the mailed link, which also ends every session and locks the account.
   */
  factorChanges: {
    /** The user's changes still waiting, soonest first (due ones are applied first). */
    pending(userId: string): Promise<FactorChangeRecord[]>;
    /** The owner's "this wasn't me": `veto_token_invalid` for an unknown, used or expired token. */
    veto(token: unknown, context: RequestContext | null): Promise<void>;
    /** Applies due changes of every user (the server's interval worker, on every instance); how many. */
    applyDue(): Promise<number>;
  };
  sessions: {
    list(userId: string): Promise<Session[]>;
    revoke(userId: string, sessionId: string): Promise<void>;
    /** Ends every other session of the asker and forgets remembered devices, after a proof (`revoke-other-sessions`). */
    revokeOthers(userId: string, asker: Asker): Promise<void>;
    /** Writes the last uses of sessions noted since the previous call (the server's interval worker); how many. */
    flushLastSeen(): Promise<number>;
  };
  devices: {
    list(userId: string): Promise<TrustedDevice[]>;
    revoke(userId: string, id: string, context: RequestContext | null): Promise<void>;
  };
  users: {
    get(userId: string): Promise<UserRecord>;
    /** Needs the current password and, for a user with a factor, a proof of it; ends every other session. */
    changePassword(userId: string, input: { currentPassword: unknown; newPassword: unknown }, asker: Asker): Promise<void>;
    /** The user's own security events, newest first. */
    events(userId: string, options: { limit: number; before?: Date }): Promise<SecurityEvent[]>;
    /** The app's own properties of the user (name, phone, …): never read for a decision. */
    profile(userId: string): Promise<Profile>;
    /** Sets properties (null removes one); names of the account itself are refused (`property_protected`). */
    updateProfile(userId: string, changes: unknown): Promise<Profile>;
    /** Every property name users have, typed by its first value (Backendless' describeUserClass). */
    profileColumns(): Promise<ProfileColumn[]>;
  };
  limits: {
    /** Counts a request against a named limit for a subject (an IP, a target); throws `rate_limited` past it. */
    enforce(rule: RateRuleName, subject: string): Promise<RateVerdict | null>;
    /**
     * A failures-only limit for the answer's own write to count (`RequestContext.rate`), in place of `enforce`
     * around the request; null when limits are off or the rule counts every request.
     */
    charge(rule: RateRuleName, subject: string): RateCharge | null;
  };
  admin: Admin & EnforcementAdmin;
}

export type { Registered } from './users/sign-up.ts';
