import type { BackendlessChangeProof } from './challenge/policy.ts';
import type { FactorSettings } from './challenge/factors.ts';
import type { RelyingParty } from './factors/webauthn/relying-party.ts';
import type { ConcurrentLogins } from './sessions/concurrent-logins.ts';
import type { ClientKind } from './sessions/session.ts';
import type { ThrottlePolicy } from './challenge/throttle.ts';
import { defaultRateLimitPolicy, type RateLimitPolicy } from './limits/rate-limit.ts';

/** Every rule of the core with a number in it, in one place; the server sets them from its configuration. */
export interface CorePolicy {
  sessionTtlSeconds: number;
  /** A session unused this long ends (0: never). */
  sessionIdleSeconds: number;
  emailVerificationTtlSeconds: number;
  /** Sign-in waits until the address is verified (REQUIRE_EMAIL_CONFIRMATION). */
  requireEmailConfirmation: boolean;
  /** Life of a password reset link. */
  passwordResetTtlSeconds: number;
  /** Signed-in sessions per account and client (BACKENDLESS_MULTIPLE_LOGINS for `backendless`). */
  concurrentLogins: Partial<Record<ClientKind, ConcurrentLogins>>;
  /** Issuer shown in authenticator apps. */
  issuer: string;
  /** Life of a sign-in transaction (security.md: 5 minutes). */
  transactionTtlSeconds: number;
  /** Wrong answers a transaction survives (security.md: 5). */
  transactionMaxAttempts: number;
  /** How long after completing a transaction the same request gets the same result again. */
  retryWindowSeconds: number;
  /** Life of a QR image link. */
  qrLinkTtlSeconds: number;
  /** Life of an email code (ASVS 2.7.2: at most 10 minutes). */
  emailCodeTtlSeconds: number;
  /** Wrong tries an email code survives. */
  emailCodeMaxAttempts: number;
  /** Rocket.Chat's remember-for: a session that answered a factor skips further checks (same IP and user agent; 0: never). */
  rememberForSeconds: number;
  /** How long a proof given in a session stands in for another before a factor change (STEP_UP_WINDOW_SECONDS). */
  stepUpWindowSeconds: number;
  /**
   * The veto window (FACTOR_CHANGE_VETO_SECONDS): a factor change of a user who already has one waits this long, and
   * the owner can cancel it from a mailed link (0: off, changes apply at once).
   */
  factorChangeVetoSeconds: number;
  /** How strictly the Backendless seed's parameterless enable2FA / disable2FA are held. */
  backendlessChangeProof: BackendlessChangeProof;
  /** The account-level throttle across all second factors. */
  throttle: ThrottlePolicy;
  /** Per-IP / per-target request limits, shared by every instance. */
  rateLimits: RateLimitPolicy;
  /** WebAuthn: the relying party keys are registered with. */
  webauthn: RelyingParty;
  /** How long a remembered device skips the sign-in's second factor (0: never). */
  trustedDeviceTtlSeconds: number;
  /** Wires that may conceal it answer a registration of an existing address like a new one (and mail the owner). */
  registrationPrivacy: boolean;
  /** Which code factors this server offers, and whether new accounts get email codes (Rocket.Chat's 2FA settings). */
  factors: FactorSettings;
}

/** Defaults of ../shared/spec/security.md: 10 failures lock 15 minutes, doubling; 100 in a row lock until an operator acts. */
export const defaultThrottlePolicy: ThrottlePolicy = { failuresPerLockout: 10, baseLockSeconds: 15 * 60, maxConsecutiveFailures: 100 };

export const defaultCorePolicy: CorePolicy = {
  sessionTtlSeconds: 30 * 24 * 3600,
  sessionIdleSeconds: 7 * 24 * 3600,
  emailVerificationTtlSeconds: 24 * 3600,
  requireEmailConfirmation: false,
  passwordResetTtlSeconds: 30 * 60,
  // Backendless' default: a new login of the same account through the SDK ends the earlier one.
  concurrentLogins: { backendless: { kind: 'replace' } },
  issuer: 'twofold',
  transactionTtlSeconds: 300,
  transactionMaxAttempts: 5,
  retryWindowSeconds: 120,
  qrLinkTtlSeconds: 600,
  emailCodeTtlSeconds: 600,
  emailCodeMaxAttempts: 5,
  rememberForSeconds: 1800,
  stepUpWindowSeconds: 600,
  factorChangeVetoSeconds: 0,
  backendlessChangeProof: 'session',
  throttle: defaultThrottlePolicy,
  rateLimits: defaultRateLimitPolicy,
  // A WebAuthn challenge lives as long as the sign-in transaction it belongs to.
  webauthn: { id: 'localhost', name: 'twofold', origins: ['http://localhost:8080'], challengeTtlSeconds: 300 },
  trustedDeviceTtlSeconds: 30 * 24 * 3600,
  registrationPrivacy: true,
  // Rocket.Chat opts new users into email codes by default; twofold asks them (docs/rocketchat.md).
  factors: { totp: true, email: true, emailAutoOptIn: false },
};
