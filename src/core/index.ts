import { createAdmin } from './admin/admin.ts';
import { passwordSignInWithAnswer } from './auth/answer-sign-in.ts';
import { passwordStep } from './auth/password-login.ts';
import { startSignIn } from './auth/sign-in.ts';
import { authorise } from './challenge/asker.ts';
import { issuePass } from './challenge/pass.ts';
import { operationName } from './challenge/policy.ts';
import { emailFactorOn } from './challenge/factors.ts';
import { completeSignIn } from './challenge/sign-in.ts';
import type { Core } from './core.ts';
import { TwofoldError } from './errors.ts';
import * as totp from './factors/authenticator.ts';
import { disableEmailFactor, enableEmailFactor, sendEmailCodeTo } from './factors/email-factor.ts';
import { assertionOptions } from './factors/webauthn/assertion.ts';
import { addKey, keyRegistrationOptions, removeKey, renameKey } from './factors/webauthn/management.ts';
import { authenticateToken, listSessions, revokeSession } from './sessions/sessions.ts';
import { assertLive, transactionIdHash } from './transactions/login-transactions.ts';
import { confirmEmailVerification, resendVerificationTo, sendEmailVerification } from './users/email-verification.ts';
import { changePassword } from './users/password-change.ts';
import { revokeOtherSessions } from './sessions/revoke-others.ts';
import { confirmPasswordReset, requestPasswordReset } from './users/password-reset.ts';
import { updateProfile } from './users/profile.ts';
import { signUp } from './users/sign-up.ts';
import type { UserRecord } from './users/user.ts';
import { endEarlierLogins } from './sessions/concurrent-logins.ts';
import { rateCharge } from './limits/rate-limit.ts';
import { wire, type CoreDeps } from './wiring.ts';
import { createEnforcementAdmin } from './enforcement/admin.ts';
import { enforceSetup, setupRequirement } from './enforcement/setup.ts';
import { applyDueChanges, settleDueChanges } from './factor-changes/apply.ts';
import { vetoChanges } from './factor-changes/veto.ts';

/** Builds the core over its ports. Rules live in the modules; this only connects them. */
export function createCore(deps: CoreDeps): Core {
  const { stores, clock } = deps;
  const w = wire(deps);

  async function requireUser(userId: string): Promise<UserRecord> {
    const user = await stores.users.findById(userId);
    if (!user) throw new TwofoldError('user_not_found');
    return user;
  }
  /** The user, once their factor changes that are due are made: what they see or change next is current. */
  async function settledUser(userId: string): Promise<UserRecord> {
    await settleDueChanges(w.applier, userId);
    return requireUser(userId);
  }

  return {
    auth: {
      register: (input, options) => signUp(w.signUp, input, options),
      async signIn(input, context, options = {}) {
        const { user, state } = await passwordStep(w.passwordStep, input, context);
        // A factor change that fell due just now is applied first, and the state read again.
        const read = (await settleDueChanges(w.applier, user.id)) ? undefined : state;
        const result = await startSignIn(w.signInStart, user, context, { style: options.style ?? 'transaction', ...options }, read);
        return result.kind === 'session' ? endEarlierLogins(w.logins, result, context) : result;
      },
      signInWithAnswer: (input, proof, context) => passwordSignInWithAnswer(w, input, proof, context),
      completeSecondFactor: async (input, context) => endEarlierLogins(w.logins, await completeSignIn(w.signIn, input, context), context),
      async webauthnOptions(transactionId) {
        const idHash = transactionIdHash(transactionId);
        const found = await w.signIn.store.transaction(idHash, clock.now());
        if (!found || found.transaction.purpose !== 'login') throw new TwofoldError('transaction_not_found');
        assertLive(found.transaction, clock.now(), deps.policy.transactionMaxAttempts);
        return assertionOptions(w.signIn.details.webauthn, found.state.user, { purpose: 'login', boundTo: idHash });
      },
      async authenticate(token, access = 'full') {
        const found = await authenticateToken(w.sessions, token);
        await enforceSetup(w.setup, found.user, access);
        return found;
      },
      setupRequirement: (user) => setupRequirement(w.setup, user),
      async signOut(token) {
        const { session, user } = await authenticateToken(w.sessions, token);
        await revokeSession(w.sessions, user.id, session.id);
      },
      confirmEmail: (token) => confirmEmailVerification(w.verification, token),
      resendVerification: async (userId) => sendEmailVerification(w.verification, await requireUser(userId)),
      resendVerificationTo: (email) => resendVerificationTo(w.verification, w.lookup, email),
      requestPasswordReset: (email, context) => requestPasswordReset(w.passwordReset, email, context),
      resetPassword: async (token, password, context) => void (await confirmPasswordReset(w.passwordReset, token, password, context)),
    },
    challenge: {
      async require(request) {
        const user = await requireUser(request.userId);
        await authorise(w.signIn, user, request.operation, request);
        return issuePass(user.id, operationName(request.operation));
      },
    },
    factors: {
      totp: {
        async status(userId) {
          await settleDueChanges(w.applier, userId);
          // The factor read finds the user itself (`user_not_found` when gone): no separate read of the user.
          return totp.authenticatorStatus(w.authenticator, userId);
        },
        enrol: async (userId, asker, kind = { mode: 'pending', operation: 'enrol-authenticator' }) => totp.enrolAuthenticator(w.authenticator, await requireUser(userId), kind, asker),
        confirm: async (userId, code, asker, operation) => totp.confirmAuthenticator(w.authenticator, await settledUser(userId), code, asker, operation),
        disable: async (userId, asker, operation) => totp.disableAuthenticator(w.authenticator, await settledUser(userId), asker, operation),
        qrUri: (qrId) => totp.qrLinkUri(w.authenticator, qrId),
      },
      backup: { regenerate: async (userId, asker) => totp.regenerateBackupCodes(w.authenticator, await requireUser(userId), asker) },
      email: {
        enable: async (userId, asker) => enableEmailFactor(w.email, await settledUser(userId), asker),
        disable: async (userId, asker) => disableEmailFactor(w.email, await settledUser(userId), asker),
        sendCode: (emailOrUsername, requesterId = null) => sendEmailCodeTo(w.email, emailOrUsername, requesterId),
        signInOffers: (user) => deps.policy.factors.email && emailFactorOn(user),
      },
      webauthn: {
        registrationOptions: async (userId, asker) => keyRegistrationOptions(w.webauthnManagement, await requireUser(userId), asker),
        register: async (userId, name, response, context, sessionId) => addKey(w.webauthnManagement, await settledUser(userId), name, response, context, sessionId),
        list: async (userId) => stores.webauthn.listForUser((await settledUser(userId)).id),
        remove: async (userId, id, asker) => removeKey(w.webauthnManagement, await settledUser(userId), id, asker),
        rename: async (userId, id, name) => renameKey(w.webauthnManagement, await requireUser(userId), id, name),
      },
    },
    factorChanges: {
      pending: async (userId) => stores.factorChanges.listPending((await settledUser(userId)).id),
      veto: (token, context) => vetoChanges(w.veto, token, context),
      applyDue: () => applyDueChanges(w.applier),
    },
    sessions: {
      list: (userId) => listSessions(w.sessions, userId),
      revoke: (userId, sessionId) => revokeSession(w.sessions, userId, sessionId),
      revokeOthers: async (userId, asker) => revokeOtherSessions(w.passwordChange, await requireUser(userId), asker),
      flushLastSeen: () => w.sessions.lastSeen.flush(),
    },
    devices: {
      list: (userId) => stores.devices.listForUser(userId, clock.now()),
      async revoke(userId, id, context) {
        if (!(await stores.devices.revoke(id, userId, clock.now()))) throw new TwofoldError('device_not_found');
        await w.audit.record('devices_revoked', userId, context, { count: 1, reason: 'revoked by the user' });
      },
    },
    users: {
      get: requireUser,
      changePassword: async (userId, input, asker) => changePassword(w.passwordChange, await requireUser(userId), input, asker),
      events: (userId, options) => stores.audit.listForUser(userId, options),
      profile: (userId) => stores.profiles.get(userId),
      updateProfile: async (userId, changes) => updateProfile(w.profile, (await requireUser(userId)).id, changes),
      profileColumns: () => stores.profiles.columns(),
    },
    limits: {
      enforce: (rule, subject) => w.limit(rule, subject),
      charge: (rule, subject) => rateCharge(deps.policy.rateLimits, rule, subject),
    },
    admin: { ...createAdmin({ ...stores, keyRing: deps.keyRing, events: w.events, clock, notifier: deps.notifier, sessionDeps: w.sessions, issuer: deps.policy.issuer }), ...createEnforcementAdmin({ enforcement: stores.enforcement, audit: w.audit, clock }) },
  };
}

export type { Core, ProtectedRequest, Registered } from './core.ts';
export type { CoreDeps, CoreStores } from './wiring.ts';
export type { User, UserRecord } from './users/user.ts';
export type { RequestContext, Session } from './sessions/session.ts';
export type { SignInResult } from './auth/sign-in.ts';
export type { SignedIn } from './challenge/sign-in.ts';
export type { SessionAccess, SetupRequirement } from './enforcement/setup.ts';
export type { EnforcementPolicy } from './enforcement/policy.ts';
export type { ChallengePass } from './challenge/pass.ts';
export type { ChallengeDetails } from './challenge/details.ts';
export type { Asker } from './challenge/asker.ts';
export type { AppOperation, OperationName } from './challenge/policy.ts';
export { parseProof, type Proof, type RawProof } from './challenge/proof.ts';
export type { TotpEnrollment } from './factors/authenticator.ts';
export { defaultCorePolicy, defaultThrottlePolicy, type CorePolicy } from './policy.ts';
export type { SecurityEvent, SecurityEventKind } from './audit/events.ts';
export { defaultRateLimitPolicy, type RateLimitPolicy, type RateRuleName } from './limits/rate-limit.ts';
