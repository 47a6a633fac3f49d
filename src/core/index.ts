import { checkPasswordLogin, type PasswordLoginInput } from './auth/password-login.ts';
import {
  completeLogin,
  completeLoginWithCode,
  completeSecondFactor,
  type PendingStyle,
  openEnrollmentTransaction,
  type GateDeps,
  type LoginResult,
  type SecondFactorLogin,
} from './auth/session-gate.ts';
import { createQrLink, resolveQrLink, type QrLinkDeps } from './factors/qr-links.ts';
import { enrollTotp } from './factors/totp-factor.ts';
import { confirmTotp, disableTotp, regenerateBackupCodes, type TotpManagementDeps } from './factors/totp-management.ts';
import type { BackupCodeStore, QrLinkStore, TotpStore } from './factors/totp-store.ts';
import type { LoginTransactionStore } from './transactions/store.ts';
import type { EmailCodeStore } from './factors/email-code-store.ts';
import type { EmailCodeDeps } from './factors/email-codes.ts';
import { disableEmailFactor, enableEmailFactor, sendEmailCodeFor, type EmailFactorDeps } from './factors/email-factor.ts';
import { checkSecondFactor, type GuardDeps, type GuardRequest, type ProtectedOperation } from './guard/second-factor-guard.ts';
import { issuePass, spendPass, type GuardPass } from './guard/guard-pass.ts';
import { protectedOperations } from './guard/operations.ts';
import type { ThrottleDeps } from './guard/account-throttle.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { createAccountEvents } from './audit/account-events.ts';
import type { AuditStore, SecurityEventKind } from './audit/events.ts';
import type { ChangeContext } from './factors/totp-management.ts';
import { hashNewPassword } from './users/registration.ts';
import { enforceRateLimit, type RateLimitPolicy, type RateLimitStore, type RateRuleName } from './limits/rate-limit.ts';
import type { ThrottlePolicy, ThrottleStore } from './guard/throttle-store.ts';
import type { Session } from './sessions/session.ts';
import type { Clock } from './clock.ts';
import type { KeyRing } from './crypto/keyring.ts';
import { TwofoldError } from './errors.ts';
import type { CoreLogger } from './logger.ts';
import type { Notifier } from './notices.ts';
import type { RequestContext } from './sessions/session.ts';
import { authenticateToken, listSessions, revokeSession, type SessionDeps } from './sessions/sessions.ts';
import type { SessionStore } from './sessions/store.ts';
import { confirmEmailVerification, sendEmailVerification, type EmailVerificationDeps } from './users/email-verification.ts';
import { normalizeEmail } from './users/identity.ts';
import type { WebAuthnStore } from './factors/webauthn/store.ts';
import type { RelyingParty } from './factors/webauthn/relying-party.ts';
import type { WebAuthnDeps } from './factors/webauthn/challenges.ts';
import { registrationOptions } from './factors/webauthn/registration.ts';
import { assertionOptions } from './factors/webauthn/assertion.ts';
import { addKey, findKey, removeKey, type WebAuthnManagementDeps } from './factors/webauthn/management.ts';
import type { TrustedDeviceStore } from './devices/store.ts';
import type { TrustedDeviceDeps } from './devices/trusted-devices.ts';
import { loadTransaction } from './transactions/login-transactions.ts';
import type { SecondFactorInput } from './auth/session-gate.ts';
import { registerUser, type RegistrationInput } from './users/registration.ts';
import type { EmailVerificationStore, UserStore } from './users/store.ts';
import { publicUser, type User, type UserRecord } from './users/user.ts';

/** The storage ports the core needs; `src/store` implements them in SQL. */
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
}

export interface CoreDeps {
  stores: CoreStores;
  keyRing: KeyRing;
  clock: Clock;
  notifier: Notifier;
  logger: CoreLogger;
  policy: CorePolicy;
  links: { verifyEmail(token: string): string };
  /** Sees every audited security event (for metrics). */
  onEvent?: (kind: SecurityEventKind, details: Record<string, unknown>) => void;
}

export interface CorePolicy {
  sessionTtlSeconds: number;
  emailVerificationTtlSeconds: number;
  /** Issuer shown in authenticator apps. */
  issuer: string;
  /** Life of a login transaction (security.md: 5 minutes). */
  transactionTtlSeconds: number;
  /** Wrong codes a transaction survives (security.md: 5). */
  transactionMaxAttempts: number;
  /** Life of a QR image link. */
  qrLinkTtlSeconds: number;
  /** Life of an email code (ASVS 2.7.2: at most 10 minutes). */
  emailCodeTtlSeconds: number;
  /** Wrong tries an email code survives. */
  emailCodeMaxAttempts: number;
  /** Seconds a session that passed a second factor skips further checks (same IP and user agent; 0: never). */
  rememberForSeconds: number;
  /** The account-level throttle across all second factors. */
  throttle: ThrottlePolicy;
  /** Per-IP / per-target request limits, shared by every instance. */
  rateLimits: RateLimitPolicy;
  /** WebAuthn: the relying party keys are registered with. */
  webauthn: RelyingParty;
  /** How long a remembered device skips the login's second factor (0: never). */
  trustedDeviceTtlSeconds: number;
}

/**
 * How a caller proves a protected operation: a code now (checked by the guard), or the pass the guard
 * gave for it earlier in the same call (DDP `callWithTwoFactorRequired` checks first, then runs).
 */
export interface SecondFactorProof {
  session?: Session | null;
  context: RequestContext;
  code?: unknown;
  method?: unknown;
  pass?: GuardPass;
}

/** A pending authenticator as shown to the user who enrols it. */
export interface TotpEnrollment {
  secret: string;
  uri: string;
  /** Id of the QR image link (the façade turns it into a URL it serves). */
  qrId: string;
  /** Confirms the enrolment with the first code (and signs in, for a registration). */
  transactionId: string;
  expiresAt: Date;
}

/**
 * The core's public face: what façades (REST, Backendless, DDP) and the CLI may ask.
 * Everything here speaks in users, sessions and typed errors; nothing knows a wire format.
 */
export function createCore(deps: CoreDeps) {
  const { stores, clock } = deps;
  const sessionDeps: SessionDeps = { sessions: stores.sessions, clock, ttlSeconds: deps.policy.sessionTtlSeconds };
  const verificationDeps: EmailVerificationDeps = {
    emailVerifications: stores.emailVerifications,
    notifier: deps.notifier,
    clock,
    ttlSeconds: deps.policy.emailVerificationTtlSeconds,
    verificationLink: deps.links.verifyEmail,
  };
  const audit = createAuditLog(stores.audit, clock, deps.onEvent);
  const events = createAccountEvents({
    audit,
    firstInWindow: async (key, windowSeconds) => (await stores.rateLimits.hit(key, clock.now(), windowSeconds)).hits === 1,
    notifier: deps.notifier,
    sessions: stores.sessions,
    devices: stores.devices,
    clock,
  });
  const throttleDeps: ThrottleDeps = {
    throttle: stores.throttle,
    policy: deps.policy.throttle,
    clock,
    async onLockout(user, until) {
      // A lockout must not leave a pending login alive (threat 7), and the user hears of it (threat 13).
      await stores.transactions.burnAllForUser(user.id, clock.now());
      deps.logger.warn({ userId: user.id, until: until.toISOString() }, 'second-factor checks locked for account');
      await audit.record('account_locked', user.id, null, { until: until.toISOString() });
      await deps.notifier.send({ kind: 'account-locked', to: user.email, until }).catch(() => undefined);
    },
  };
  const factorDeps: TotpManagementDeps = {
    throttle: throttleDeps,
    totp: stores.totp,
    backupCodes: stores.backupCodes,
    webauthn: stores.webauthn,
    keyRing: deps.keyRing,
    clock,
    issuer: deps.policy.issuer,
    events,
  };
  const emailDeps: EmailCodeDeps = {
    emailCodes: stores.emailCodes,
    keyRing: deps.keyRing,
    notifier: deps.notifier,
    clock,
    ttlSeconds: deps.policy.emailCodeTtlSeconds,
    maxAttempts: deps.policy.emailCodeMaxAttempts,
  };
  const webauthnDeps: WebAuthnDeps = { webauthn: stores.webauthn, rp: deps.policy.webauthn, clock };
  const keyDeps: WebAuthnManagementDeps = { webauthn: webauthnDeps, events };
  const deviceDeps: TrustedDeviceDeps = { devices: stores.devices, clock, ttlSeconds: deps.policy.trustedDeviceTtlSeconds };
  const guardDeps: GuardDeps = {
    factors: factorDeps,
    webauthn: webauthnDeps,
    throttle: throttleDeps,
    email: emailDeps,
    sessions: stores.sessions,
    clock,
    rememberForSeconds: deps.policy.rememberForSeconds,
  };
  const emailFactorDeps: EmailFactorDeps = { users: stores.users, email: emailDeps, events, clock };
  const gateDeps: GateDeps = {
    sessions: sessionDeps,
    transactions: {
      transactions: stores.transactions,
      clock,
      ttlSeconds: deps.policy.transactionTtlSeconds,
      maxAttempts: deps.policy.transactionMaxAttempts,
    },
    guard: guardDeps,
    users: stores.users,
    devices: deviceDeps,
  };

  /** A password check that leaves a trace when it fails (no user id: it may not exist). */
  async function passwordLogin(input: PasswordLoginInput, context: RequestContext): Promise<UserRecord> {
    try {
      return await checkPasswordLogin({ users: stores.users }, input);
    } catch (error) {
      if (error instanceof TwofoldError && error.code === 'invalid_credentials') await audit.record('login_failed', null, context);
      throw error;
    }
  }

  /** Runs the guard for `operation` unless the proof carries a pass the guard issued for exactly this. */
  async function guard(user: UserRecord, operation: ProtectedOperation, proof: SecondFactorProof): Promise<void> {
    if (proof.pass && spendPass(proof.pass, user.id, operation.name)) return;
    await checkSecondFactor(guardDeps, { user, operation, session: proof.session ?? null, context: proof.context, code: proof.code, method: proof.method });
  }
  const qrDeps: QrLinkDeps = { ...factorDeps, qrLinks: stores.qrLinks, users: stores.users, ttlSeconds: deps.policy.qrLinkTtlSeconds };

  /** A pending authenticator, its QR link and the transaction its first code completes. */
  async function startTotpEnrollment(user: UserRecord): Promise<TotpEnrollment> {
    const { credential, secret, uri } = await enrollTotp(factorDeps, user);
    const qrId = await createQrLink(qrDeps, credential.id);
    const { transactionId, expiresAt } = await openEnrollmentTransaction(gateDeps, user.id, credential.id);
    return { secret, uri, qrId, transactionId, expiresAt };
  }

  async function requireUser(userId: string): Promise<UserRecord> {
    const user = await stores.users.findById(userId);
    if (!user) throw new TwofoldError('user_not_found');
    return user;
  }

  /** A verification mail that cannot be sent must not undo the registration: the user can ask again. */
  async function trySendVerification(user: UserRecord): Promise<boolean> {
    try {
      await sendEmailVerification(verificationDeps, user);
      return true;
    } catch (error) {
      deps.logger.warn({ userId: user.id, reason: (error as TwofoldError).code ?? 'unknown' }, 'verification mail not sent');
      return false;
    }
  }

  async function register(input: RegistrationInput): Promise<{ user: User; record: UserRecord; verificationMailSent: boolean }> {
    const record = await registerUser({ users: stores.users, clock }, input);
    const verificationMailSent = await trySendVerification(record);
    return { user: publicUser(record), record, verificationMailSent };
  }

  return {
    clock,
    keyRing: deps.keyRing,

    register,

    /** Registers and, when asked, starts the authenticator enrolment whose first code signs the user in. */
    async registerWithTotp(
      input: RegistrationInput,
    ): Promise<{ user: User; record: UserRecord; verificationMailSent: boolean; enrollment: TotpEnrollment }> {
      const registered = await register(input);
      return { ...registered, enrollment: await startTotpEnrollment(registered.record) };
    },

    /** A password login; `deviceToken` is a remembered device's token, which skips the second factor for its user. */
    async loginWithPassword(
      input: PasswordLoginInput,
      context: RequestContext,
      style: PendingStyle = 'transaction',
      options: { deviceToken?: unknown } = {},
    ): Promise<LoginResult> {
      const user = await passwordLogin(input, context);
      return completeLogin(gateDeps, user, context, style, options);
    },

    /** A password login carrying its second-factor code (DDP `{totp: {login, code}}`). */
    async loginWithPasswordAndCode(input: PasswordLoginInput, supplied: { code: unknown; method?: unknown }, context: RequestContext): Promise<LoginResult> {
      const user = await passwordLogin(input, context);
      return completeLoginWithCode(gateDeps, user, context, supplied);
    },

    /**
     * The "second factor required" guard, for façades and embedding apps protecting their own actions.
     * Returns a pass for the operation when the user is through (verified, remembered or factor-less).
     */
    async checkSecondFactor(request: Omit<GuardRequest, 'user'> & { userId: string }): Promise<GuardPass> {
      const { userId, ...rest } = request;
      await checkSecondFactor(guardDeps, { ...rest, user: await requireUser(userId) });
      return issuePass(userId, request.operation.name);
    },

    email2fa: {
      enable: async (userId: string, context?: RequestContext) => enableEmailFactor(emailFactorDeps, await requireUser(userId), { context }),
      async disable(userId: string, proof: SecondFactorProof): Promise<void> {
        const user = await requireUser(userId);
        await guard(user, protectedOperations.disableEmailFactor, proof);
        await disableEmailFactor(emailFactorDeps, user, { context: proof.context, keepSessionId: proof.session?.id ?? null });
      },
      /** Rocket.Chat's `sendEmailCode`: no login needed; returns the addresses mailed. */
      async sendCode(emailOrUsername: unknown): Promise<string[]> {
        // Email bombing: whoever asks, one person gets at most a few codes per window.
        if (typeof emailOrUsername === 'string' && emailOrUsername.trim() !== '') {
          await enforceRateLimit({ store: stores.rateLimits, clock, policy: deps.policy.rateLimits }, 'sendEmailCodeTarget', emailOrUsername.trim().toLowerCase());
        }
        return sendEmailCodeFor(emailFactorDeps, emailOrUsername);
      },
    },

    /** Completes a login or registration transaction with a code or a WebAuthn answer (and may remember the device). */
    completeSecondFactor(input: SecondFactorInput, context: RequestContext): Promise<SecondFactorLogin> {
      return completeSecondFactor(gateDeps, input, context);
    },

    webauthn: {
      /** Options to sign in with a key, for a pending login transaction; the challenge is bound to it. */
      async loginOptions(transactionId: unknown) {
        const { idHash, transaction } = await loadTransaction(gateDeps.transactions, transactionId);
        if (transaction.purpose !== 'login') throw new TwofoldError('transaction_not_found');
        return assertionOptions(webauthnDeps, await requireUser(transaction.userId), { purpose: 'login', boundTo: idHash });
      },
      /** Options to register a new key; a user who has a factor proves it first. */
      async registrationOptions(userId: string, proof: SecondFactorProof) {
        const user = await requireUser(userId);
        await guard(user, protectedOperations.addWebAuthnKey, proof);
        return registrationOptions(webauthnDeps, user);
      },
      register: async (userId: string, name: unknown, response: unknown, context: RequestContext | null) =>
        addKey(keyDeps, await requireUser(userId), name, response, context),
      list: (userId: string) => stores.webauthn.listForUser(userId),
      /** Needs a fresh second factor every time (it weakens the account). */
      async remove(userId: string, id: string, proof: SecondFactorProof): Promise<void> {
        const user = await requireUser(userId);
        await findKey(keyDeps, user, id);
        await guard(user, protectedOperations.removeWebAuthnKey, proof);
        await removeKey(keyDeps, user, id, { context: proof.context, keepSessionId: proof.session?.id ?? null });
      },
    },

    devices: {
      list: (userId: string) => stores.devices.listForUser(userId, clock.now()),
      async revoke(userId: string, id: string, context: RequestContext | null): Promise<void> {
        if (!(await stores.devices.revoke(id, userId, clock.now()))) throw new TwofoldError('device_not_found');
        await audit.record('devices_revoked', userId, context, { count: 1, reason: 'revoked by the user' });
      },
    },

    totp: {
      /** Starts enrolling a new authenticator; an active one keeps working until the new one is confirmed. */
      enroll: async (userId: string) => startTotpEnrollment(await requireUser(userId)),
      confirm: async (userId: string, code: unknown, change?: ChangeContext) => confirmTotp(factorDeps, await requireUser(userId), code, change),
      /** Needs a current code or a backup code; ends the account's other sessions (ASVS 2.8.6). */
      disable: async (userId: string, code: unknown, change?: ChangeContext) => disableTotp(factorDeps, await requireUser(userId), code, change),
      regenerateBackupCodes: async (userId: string, code: unknown, change?: ChangeContext) =>
        regenerateBackupCodes(factorDeps, await requireUser(userId), code, change),
      async status(userId: string): Promise<{ enabled: boolean; pending: boolean; backupCodesRemaining: number }> {
        const [active, pending, remaining] = await Promise.all([
          stores.totp.findActive(userId),
          stores.totp.findPending(userId),
          stores.backupCodes.countUnused(userId),
        ]);
        return { enabled: active !== null, pending: pending !== null, backupCodesRemaining: active ? remaining : 0 };
      },
      /** The otpauth:// URI behind a QR link, while its authenticator awaits confirmation. */
      qrUri: (qrId: string) => resolveQrLink(qrDeps, qrId),
    },

    authenticate: (token: string | undefined) => authenticateToken(sessionDeps, token),

    async logout(token: string | undefined): Promise<void> {
      const { session, user } = await authenticateToken(sessionDeps, token);
      await revokeSession(sessionDeps, user.id, session.id);
    },

    listSessions: (userId: string) => listSessions(sessionDeps, userId),
    revokeSession: (userId: string, sessionId: string) => revokeSession(sessionDeps, userId, sessionId),

    async resendVerification(userId: string): Promise<void> {
      await sendEmailVerification(verificationDeps, await requireUser(userId));
    },
    confirmEmail: (token: unknown) => confirmEmailVerification(verificationDeps, token),

    getUser: requireUser,

    /** Counts a request against a named limit for a subject (an IP, a target); throws `rate_limited` past it. */
    enforceRateLimit: (rule: RateRuleName, subject: string) =>
      enforceRateLimit({ store: stores.rateLimits, clock, policy: deps.policy.rateLimits }, rule, subject),

    /** Changes the password: needs the current one and a fresh second factor; ends every other session. */
    async changePassword(userId: string, input: { currentPassword: unknown; newPassword: unknown }, proof: SecondFactorProof): Promise<void> {
      const user = await requireUser(userId);
      await checkPasswordLogin({ users: stores.users }, { identity: user.email, password: input.currentPassword });
      const newHash = await hashNewPassword(input.newPassword);
      await guard(user, protectedOperations.changePassword, proof);
      await stores.users.setPasswordHash(user.id, newHash, clock.now());
      await events.passwordChanged(user, proof.context, proof.session?.id ?? null);
    },

    /** Audits a finished key rotation (the CLI does the re-encryption). */
    recordKeyRotation: (activeKeyId: string, reencrypted: number) => audit.record('key_rotated', null, null, { activeKeyId, reencrypted }),

    /** The user's own security events, newest first. */
    listEvents: (userId: string, options: { limit: number; before?: Date }) => stores.audit.listForUser(userId, options),

    /** Administrative operations (CLI): no session, the operator is trusted. */
    admin: {
      events: (filter: { userId?: string; kind?: SecurityEventKind; since?: Date; limit: number }) => stores.audit.query(filter),
      listUsers: (limit = 100, offset = 0) => stores.users.list({ limit, offset }),
      async findUser(idOrEmail: string): Promise<UserRecord> {
        const user = /^[0-9a-f-]{36}$/i.test(idOrEmail)
          ? await stores.users.findById(idOrEmail)
          : await stores.users.findByEmail(normalizeEmail(idOrEmail));
        if (!user) throw new TwofoldError('user_not_found');
        return user;
      },
      /**
       * For a user who lost every factor: removes the authenticator, backup codes and email codes, ends the
       * pending logins and the sessions, lifts any lockout. The user hears of it by mail.
       */
      async resetSecondFactors(userId: string): Promise<void> {
        const user = await requireUser(userId);
        const now = clock.now();
        await stores.totp.removeAll(user.id);
        await stores.webauthn.removeAll(user.id);
        if (user.emailTwoFactorEnabledAt) await stores.users.setEmailTwoFactor(user.id, null, now);
        await stores.transactions.burnAllForUser(user.id, now);
        await stores.throttle.reset(user.id);
        await stores.sessions.revokeAllForUser(user.id, now);
        await events.factorChanged(user, 'totp', 'disabled', { client: 'cli' });
      },

      /** Lifts a second-factor lockout (also the permanent one after 100 failures). */
      async unlock(userId: string): Promise<void> {
        await requireUser(userId);
        await stores.throttle.reset(userId);
      },
      async setDisabled(userId: string, disabled: boolean): Promise<UserRecord> {
        const now = clock.now();
        const user = await stores.users.setDisabled(userId, disabled ? now : null, now);
        if (!user) throw new TwofoldError('user_not_found');
        // A disabled account must lose its live sessions at once, not when they expire.
        if (disabled) await stores.sessions.revokeAllForUser(userId, now);
        return user;
      },
      async verifyEmail(userId: string): Promise<UserRecord> {
        const now = clock.now();
        const user = await stores.users.setEmailVerified(userId, now, now);
        if (!user) throw new TwofoldError('user_not_found');
        return user;
      },
      async deleteUser(userId: string): Promise<void> {
        if (!(await stores.users.delete(userId))) throw new TwofoldError('user_not_found');
      },
    },
  };
}

export type Core = ReturnType<typeof createCore>;
export type { User, UserRecord } from './users/user.ts';
export type { RequestContext, Session } from './sessions/session.ts';
export type { LoginResult, SecondFactorLogin } from './auth/session-gate.ts';
export type { GuardPass } from './guard/guard-pass.ts';
export type { ChallengeDetails, ProtectedOperation } from './guard/second-factor-guard.ts';
export { protectedOperations } from './guard/operations.ts';
export { defaultThrottlePolicy } from './guard/account-throttle.ts';
export type { SecurityEvent, SecurityEventKind } from './audit/events.ts';
export { defaultRateLimitPolicy, type RateLimitPolicy, type RateRuleName } from './limits/rate-limit.ts';
