import { createAccountEvents, type AccountEvents } from './audit/account-events.ts';
import { createAuditLog } from './audit/audit-log.ts';
import type { AuditLog, AuditStore, SecurityEventKind } from './audit/events.ts';
import type { SignInStartDeps } from './auth/sign-in.ts';
import { offeredFactors } from './challenge/factors.ts';
import { policyTable } from './challenge/policy.ts';
import type { ChallengeStore } from './challenge/store.ts';
import type { SignInDeps } from './challenge/sign-in.ts';
import type { ThrottleStore } from './challenge/throttle.ts';
import type { Clock } from './clock.ts';
import type { KeyRing } from './crypto/keyring.ts';
import type { TrustedDeviceStore } from './devices/store.ts';
import type { AuthenticatorDeps } from './factors/authenticator.ts';
import type { EmailCodeStore } from './factors/email-codes.ts';
import type { EmailFactorDeps } from './factors/email-factor.ts';
import type { BackupCodeStore, QrLinkStore, TotpStore } from './factors/totp-store.ts';
import type { WebAuthnStore } from './factors/webauthn/store.ts';
import type { KeyRotationStore } from './keys/rotation.ts';
import type { AuditChainStore } from './audit/chain.ts';
import type { WebAuthnManagementDeps } from './factors/webauthn/management.ts';
import type { PasswordChangeDeps } from './users/password-change.ts';
import { enforceRateLimit, type RateLimitStore } from './limits/rate-limit.ts';
import type { CoreLogger } from './logger.ts';
import type { Notifier } from './notices.ts';
import type { CorePolicy } from './policy.ts';
import type { SessionDeps } from './sessions/sessions.ts';
import type { SessionStore } from './sessions/store.ts';
import { LastSeen } from './sessions/last-seen.ts';
import type { LoginTransactionStore } from './transactions/store.ts';
import type { EmailVerificationDeps } from './users/email-verification.ts';
import type { EmailVerificationStore, UserStore } from './users/store.ts';
import type { AddressLookup } from './users/address-lookup.ts';
import type { PasswordResetDeps, PasswordResetStore } from './users/password-reset.ts';
import type { ProfileDeps, ProfileStore } from './users/profile.ts';
import type { SignUpDeps } from './users/sign-up.ts';
import type { ConcurrentLoginDeps } from './sessions/concurrent-logins.ts';
import type { PasswordStepDeps } from './auth/password-login.ts';
import type { EnforcementStore } from './enforcement/store.ts';
import type { SetupDeps } from './enforcement/setup.ts';
import type { AdminTokenStore } from './admin/tokens.ts';
import type { AdminDirectoryStore } from './admin/directory.ts';
import type { TotpTransferStore } from './admin/totp-transfer.ts';
import type { WebhookStore } from './admin/webhooks.ts';
import type { FactorChangeStore } from './factor-changes/store.ts';
import { firstFactorVeto, type VetoWindowDeps } from './factor-changes/request.ts';
import type { ApplierDeps } from './factor-changes/apply.ts';
import type { VetoDeps } from './factor-changes/veto.ts';

/** The storage ports the core needs; `src/store` implements them in SQL, `src/store/memory` in memory. */
export interface CoreStores {
  users: UserStore;
  sessions: SessionStore;
  emailVerifications: EmailVerificationStore;
  totp: TotpStore;
  backupCodes: BackupCodeStore;
  transactions: LoginTransactionStore;
  qrLinks: QrLinkStore;
  emailCodes: EmailCodeStore;
  throttle: ThrottleStore;
  audit: AuditStore;
  rateLimits: RateLimitStore;
  webauthn: WebAuthnStore;
  devices: TrustedDeviceStore;
  challenge: ChallengeStore;
  keyRotation: KeyRotationStore;
  auditChain: AuditChainStore;
  profiles: ProfileStore;
  passwordResets: PasswordResetStore;
  enforcement: EnforcementStore;
  adminTokens: AdminTokenStore;
  directory: AdminDirectoryStore;
  totpTransfer: TotpTransferStore;
  webhooks: WebhookStore;
  factorChanges: FactorChangeStore;
}

export interface CoreDeps {
  stores: CoreStores;
  keyRing: KeyRing;
  clock: Clock;
  notifier: Notifier;
  logger: CoreLogger;
  policy: CorePolicy;
  /** The URLs mailed links point at: the façades own them, the core only fills in the token. */
  links: { verifyEmail(token: string): string; resetPassword(token: string): string; vetoFactorChange(token: string): string };
  /** Sees every audited security event (for metrics). */
  onEvent?: (kind: SecurityEventKind, details: Record<string, unknown>) => void;
}

/** Every module's dependencies, built once from the core's. */
export interface Wiring {
  audit: AuditLog;
  events: AccountEvents;
  sessions: SessionDeps;
  signIn: SignInDeps;
  signInStart: SignInStartDeps;
  authenticator: AuthenticatorDeps;
  email: EmailFactorDeps;
  verification: EmailVerificationDeps;
  webauthnManagement: WebAuthnManagementDeps;
  passwordChange: PasswordChangeDeps;
  passwordReset: PasswordResetDeps;
  lookup: AddressLookup;
  profile: ProfileDeps;
  signUp: SignUpDeps;
  logins: ConcurrentLoginDeps;
  passwordStep: PasswordStepDeps;
  setup: SetupDeps;
  changes: VetoWindowDeps;
  applier: ApplierDeps;
  veto: VetoDeps;
  limit(rule: Parameters<typeof enforceRateLimit>[1], subject: string): ReturnType<typeof enforceRateLimit>;
}

export function wire(deps: CoreDeps): Wiring {
  const { stores, clock, policy, keyRing } = deps;
  const audit = createAuditLog(stores.audit, clock, deps.onEvent);
  const limit: Wiring['limit'] = (rule, subject) => enforceRateLimit({ store: stores.rateLimits, clock, policy: policy.rateLimits }, rule, subject);
  const changes: VetoWindowDeps = {
    store: stores.factorChanges,
    audit,
    notifier: deps.notifier,
    clock,
    windowSeconds: policy.factorChangeVetoSeconds,
    vetoLink: deps.links.vetoFactorChange,
  };
  const events = createAccountEvents({
    firstFactorVeto: (user, factor) => firstFactorVeto(changes, user, factor),
    audit,
    firstInWindow: async (key, windowSeconds) => (await stores.rateLimits.hit(key, clock.now(), windowSeconds)).hits === 1,
    notifier: deps.notifier,
    sessions: stores.sessions,
    devices: stores.devices,
    clock,
  });
  const webauthn = { webauthn: stores.webauthn, rp: policy.webauthn, clock };
  const emailCodes = {
    emailCodes: stores.emailCodes,
    keyRing,
    notifier: deps.notifier,
    clock,
    ttlSeconds: policy.emailCodeTtlSeconds,
    maxAttempts: policy.emailCodeMaxAttempts,
    // Email bombing: one person gets at most a few codes per window, whoever asks and however (threat 15).
    mailAllowed: async (user: { id: string }) => void (await limit('sendEmailCodeTarget', `user:${user.id}`)),
  };
  // Every check reads factor state through the server's settings: a factor it does not offer proves nothing.
  const factorStore = offeredFactors(stores.challenge, policy.factors);
  const challenge = {
    keyRing,
    clock,
    store: factorStore,
    webauthn: stores.webauthn,
    rp: policy.webauthn,
    emailCodeMaxAttempts: policy.emailCodeMaxAttempts,
    throttle: policy.throttle,
    audit,
    async onLockout(user: { id: string; email: string }, until: Date, context: Parameters<AuditLog['record']>[2]) {
      deps.logger.warn({ userId: user.id, until: until.toISOString() }, 'second-factor checks locked for account');
      await audit.record('account_locked', user.id, context, { until: until.toISOString() });
      await deps.notifier.send({ kind: 'account-locked', to: user.email, until }).catch(() => undefined);
    },
    onReplay: async (user: Parameters<AccountEvents['replayRejected']>[0], factor: string) => (factor === 'totp' ? events.replayRejected(user) : undefined),
    details: { email: emailCodes, webauthn },
    table: policyTable({ backendlessChangeProof: policy.backendlessChangeProof }),
    stepUpWindowSeconds: policy.stepUpWindowSeconds,
    rememberForSeconds: policy.rememberForSeconds,
  };
  const sessions: SessionDeps = {
    sessions: stores.sessions,
    clock,
    ttlSeconds: policy.sessionTtlSeconds,
    idleSeconds: policy.sessionIdleSeconds,
    lastSeen: new LastSeen(stores.sessions),
  };
  const transactions = { transactions: stores.transactions, clock, ttlSeconds: policy.transactionTtlSeconds, maxAttempts: policy.transactionMaxAttempts };
  const devices = { devices: stores.devices, clock, ttlSeconds: policy.trustedDeviceTtlSeconds };
  const authenticator: AuthenticatorDeps = {
    challenge,
    totp: stores.totp,
    backupCodes: stores.backupCodes,
    qrLinks: stores.qrLinks,
    users: stores.users,
    transactions,
    events,
    keyRing,
    clock,
    issuer: policy.issuer,
    factors: policy.factors,
    qrLinkTtlSeconds: policy.qrLinkTtlSeconds,
    changes,
  };
  const verification: EmailVerificationDeps = {
    emailVerifications: stores.emailVerifications,
    notifier: deps.notifier,
    clock,
    ttlSeconds: policy.emailVerificationTtlSeconds,
    verificationLink: deps.links.verifyEmail,
  };
  const email: EmailFactorDeps = {
    challenge,
    users: stores.users,
    email: emailCodes,
    events,
    clock,
    logger: deps.logger,
    factors: policy.factors,
    limitTarget: async (target) => void (await limit('sendEmailCodeTarget', target)),
    changes,
  };
  const lookup: AddressLookup = { users: stores.users, logger: deps.logger, limitTarget: async (key) => void (await limit('accountMailTarget', key)) };
  const profile: ProfileDeps = { profiles: stores.profiles, clock };
  const logins: ConcurrentLoginDeps = { sessions: stores.sessions, clock, audit, rules: policy.concurrentLogins };
  return {
    audit,
    events,
    sessions,
    limit,
    signIn: {
      ...challenge,
      transactions: stores.transactions,
      sessions: stores.sessions,
      devices: stores.devices,
      events,
      maxAttempts: policy.transactionMaxAttempts,
      sessionTtlSeconds: policy.sessionTtlSeconds,
      trustedDeviceTtlSeconds: policy.trustedDeviceTtlSeconds,
      retryWindowSeconds: policy.retryWindowSeconds,
      requireEmailConfirmation: policy.requireEmailConfirmation,
    },
    signInStart: { clock, store: factorStore, audit, sessions, transactions, devices, details: challenge.details },
    authenticator,
    email,
    webauthnManagement: { challenge, webauthn, events, changes },
    passwordChange: {
      challenge,
      users: stores.users,
      events,
      // Beside the lockout, a cap on current-password checks per account (threat 16).
      limitChecks: async (user) => void (await limit('verify', `password:${user.id}`)),
    },
    verification,
    passwordReset: {
      lookup,
      resets: stores.passwordResets,
      transactions: stores.transactions,
      events,
      notifier: deps.notifier,
      clock,
      ttlSeconds: policy.passwordResetTtlSeconds,
      resetLink: deps.links.resetPassword,
    },
    lookup,
    profile,
    signUp: {
      account: { users: stores.users, clock, verification, logger: deps.logger, notifier: deps.notifier },
      profile,
      authenticator,
      email,
      registrationPrivacy: policy.registrationPrivacy,
    },
    logins,
    setup: { store: factorStore, clock },
    changes,
    applier: { store: stores.factorChanges, clock, windowSeconds: policy.factorChangeVetoSeconds, users: stores.users, events },
    veto: { store: stores.factorChanges, clock, users: stores.users, transactions: stores.transactions, events },
    passwordStep: { store: factorStore, clock, requireEmailConfirmation: policy.requireEmailConfirmation, audit, logins },
  };
}
