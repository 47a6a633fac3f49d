import type { AccountEvents } from '../audit/account-events.ts';
import { checkPublishedHead, signedHead, type AuditChainStore, type SignedHead } from '../audit/chain.ts';
import type { AuditStore, SecurityEventKind } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { TrustedDeviceStore } from '../devices/store.ts';
import { TwofoldError } from '../errors.ts';
import type { TotpStore } from '../factors/totp-store.ts';
import type { WebAuthnStore } from '../factors/webauthn/store.ts';
import type { ThrottleStore } from '../challenge/throttle.ts';
import { reencryptSecrets, retirementBlockers, type KeyRotationStore } from '../keys/rotation.ts';
import type { SessionStore } from '../sessions/store.ts';
import type { LoginTransactionStore } from '../transactions/store.ts';
import { normalizeEmail } from '../users/identity.ts';
import type { UserStore } from '../users/store.ts';
import type { UserRecord } from '../users/user.ts';
import type { BackupCodeStore } from '../factors/totp-store.ts';
import type { Notifier, ResettableFactor } from '../notices.ts';
import type { RequestContext } from '../sessions/session.ts';
import { introspectToken, type SessionDeps } from '../sessions/sessions.ts';
import { type AdminDirectoryStore, type DirectoryQuery, type UserFactorStatus } from './directory.ts';
import { resetFactors } from './factor-reset.ts';
import type { TransferFormat } from './totp-formats.ts';
import { exportTotp, importTotp, type TotpTransferStore } from './totp-transfer.ts';
import { claimSignedDeliveries, createWebhook, recordDeliveryAttempt, removeWebhook, type WebhookDelivery, type WebhookStore } from './webhooks.ts';
import type { FactorChangeStore } from '../factor-changes/store.ts';
import { authorizeAdminToken, createAdminToken, type AdminScope, type AdminToken, type AdminTokenStore } from './tokens.ts';

export interface AdminDeps {
  users: UserStore;
  totp: TotpStore;
  webauthn: WebAuthnStore;
  transactions: LoginTransactionStore;
  throttle: ThrottleStore;
  sessions: SessionStore;
  devices: TrustedDeviceStore;
  audit: AuditStore;
  keyRotation: KeyRotationStore;
  auditChain: AuditChainStore;
  keyRing: KeyRing;
  events: AccountEvents;
  clock: Clock;
  backupCodes: BackupCodeStore;
  adminTokens: AdminTokenStore;
  directory: AdminDirectoryStore;
  notifier: Notifier;
  sessionDeps: SessionDeps;
  totpTransfer: TotpTransferStore;
  webhooks: WebhookStore;
  factorChanges: FactorChangeStore;
  /** The issuer written into exported otpauth URIs. */
  issuer: string;
}

/** Operator actions (the CLI): no session; the operator is trusted, every change is audited or mailed. */
export function createAdmin(deps: AdminDeps) {
  const { users, clock } = deps;
  const tokenDeps = { store: deps.adminTokens, clock };
  const webhookDeps = { store: deps.webhooks, keyRing: deps.keyRing, audit: deps.events.audit, clock };
  const transferDeps = { transfer: deps.totpTransfer, users, keyRing: deps.keyRing, audit: deps.events.audit, clock, issuer: deps.issuer };
  async function requireUser(id: string): Promise<UserRecord> {
    const user = await users.findById(id);
    if (!user) throw new TwofoldError('user_not_found');
    return user;
  }
  return {
    events: (filter: { userId?: string; kind?: SecurityEventKind; since?: Date; limit: number }) => deps.audit.query(filter),
    listUsers: (limit = 100, offset = 0) => users.list({ limit, offset }),
    async findUser(idOrEmail: string): Promise<UserRecord> {
      const user = /^[0-9a-f-]{36}$/i.test(idOrEmail) ? await users.findById(idOrEmail) : await users.findByEmail(normalizeEmail(idOrEmail));
      if (!user) throw new TwofoldError('user_not_found');
      return user;
    },
    /**
     * For a user who lost every factor: removes the authenticator, keys and email codes, ends the pending
     * sign-ins and the sessions, lifts any lockout. The user hears of it by mail.
     */
    async resetSecondFactors(userId: string): Promise<void> {
      const user = await requireUser(userId);
      const now = clock.now();
      await deps.totp.removeAll(user.id);
      await deps.webauthn.removeAll(user.id);
      if (user.emailTwoFactorEnabledAt) await users.setEmailTwoFactor(user.id, null, now);
      await deps.transactions.burnAllForUser(user.id, now);
      await deps.throttle.reset(user.id);
      await deps.events.factorChanged(user, 'totp', 'disabled', { client: 'cli' }, null);
    },
    /**
     * Removes one kind of factor (or several) from a user, ends their sessions and pending sign-ins, and mails
     * them (`factor-reset.ts`). `context` says who asked: the CLI, or the admin API with its token.
     */
    async resetFactors(userId: string, factors: readonly ResettableFactor[], context: RequestContext): Promise<void> {
      await resetFactors(deps, await requireUser(userId), factors, context);
    },
    /** The operator's view of users, their roles and their factors (never a secret). */
    directory: {
      search: (query: DirectoryQuery) => deps.directory.search(query, clock.now()),
      async status(userId: string): Promise<UserFactorStatus> {
        const status = await deps.directory.status(userId, clock.now());
        if (!status) throw new TwofoldError('user_not_found');
        return status;
      },
      secondFactorCounts: () => deps.directory.secondFactorCounts(),
      sessions: async (userId: string) => deps.sessions.listForUser((await requireUser(userId)).id, clock.now()),
    },
    /** Admin API tokens: made and revoked by the CLI, checked by the admin API. */
    tokens: {
      async create(input: { name: string; scopes: readonly string[]; ttlSeconds?: number | null }) {
        const created = await createAdminToken(tokenDeps, input);
        await deps.events.audit.record('admin_token_created', null, { client: 'cli' }, { tokenId: created.token.id, name: created.token.name, scopes: created.token.scopes });
        return created;
      },
      list: () => deps.adminTokens.list(),
      async revoke(id: string): Promise<void> {
        if (!/^[0-9a-f-]{36}$/i.test(id) || !(await deps.adminTokens.revoke(id, clock.now()))) throw new TwofoldError('not_found');
        await deps.events.audit.record('admin_token_revoked', null, { client: 'cli' }, { tokenId: id });
      },
      authorize: (secret: string | undefined, scope: AdminScope) => authorizeAdminToken(tokenDeps, secret, scope),
    },
    /** RFC 7662 token introspection for app backends: the session behind a user's bearer token, or null. */
    introspect: (token: unknown) => introspectToken(deps.sessionDeps, token),
    /** Records one admin API call (who, what, on whom): every call is audited, reads included. */
    auditCall: (token: AdminToken, operation: string, targetUserId: string | null, context: RequestContext, details: Record<string, unknown> = {}) =>
      deps.events.audit.record('admin_api_call', targetUserId, context, { tokenId: token.id, tokenName: token.name, operation, ...details }),
    /** Authenticators in and out of twofold (`twofold import totp`, `twofold export totp`): `totp-transfer.ts`. */
    totp: {
      import: (format: TransferFormat, text: string, options: { dryRun: boolean }) => importTotp(transferDeps, format, text, options),
      export: (format: TransferFormat, options: { iUnderstandThisExportsSecrets: boolean }) => exportTotp(transferDeps, format, options),
    },
    /** Signed webhooks: endpoints for kinds of security events, and the outbox the database fills (`webhooks.ts`). */
    webhooks: {
      create: (input: { url: string; kinds: readonly string[] }, context: { client: 'cli' | 'admin-api' }) => createWebhook(webhookDeps, input, context),
      list: () => deps.webhooks.list(),
      remove: (id: string, context: { client: 'cli' | 'admin-api' }) => removeWebhook(webhookDeps, id, context),
      async deliveries(endpointId: string, limit = 50) {
        if (!(await deps.webhooks.list()).some((e) => e.id === endpointId)) throw new TwofoldError('webhook_not_found');
        return deps.webhooks.deliveries(endpointId, limit);
      },
      /** For the sender (`server/webhook-dispatcher.ts`): due deliveries, claimed and signed; and their outcomes. */
      outbox: {
        claim: (limit: number, leaseSeconds: number) => claimSignedDeliveries(webhookDeps, limit, leaseSeconds),
        record: (delivery: WebhookDelivery, result: { status: number | null; error: string | null }) => recordDeliveryAttempt(webhookDeps, delivery, result),
      },
    },
    /** Lifts a second-factor lockout (also the permanent one after 100 failures) and the owner's lock after a veto. */
    async unlock(userId: string): Promise<void> {
      const user = await requireUser(userId);
      await deps.throttle.reset(userId);
      if (user.lockedByOwnerAt && (await deps.factorChanges.unlock(userId, clock.now()))) {
        await deps.events.audit.record('account_unlocked', userId, null, { lockedByOwnerAt: user.lockedByOwnerAt.toISOString() });
      }
    },
    async setDisabled(userId: string, disabled: boolean): Promise<UserRecord> {
      const now = clock.now();
      const user = await users.setDisabled(userId, disabled ? now : null, now);
      if (!user) throw new TwofoldError('user_not_found');
      // A disabled account must lose its live sessions at once, not when they expire.
      if (disabled) await deps.sessions.revokeAllForUser(userId, now);
      return user;
    },
    async verifyEmail(userId: string): Promise<UserRecord> {
      const now = clock.now();
      const user = await users.setEmailVerified(userId, now, now);
      if (!user) throw new TwofoldError('user_not_found');
      return user;
    },
    async deleteUser(userId: string): Promise<void> {
      if (!(await users.delete(userId))) throw new TwofoldError('user_not_found');
    },
    /** The tamper-evident audit log: check every chain (or one user's), publish a signed head, check a published one. */
    audit: {
      verify: async (userId?: string) => deps.auditChain.verify(userId ?? null),
      head: () => signedHead({ store: deps.auditChain, keyRing: deps.keyRing, clock }),
      checkPublished: (head: SignedHead) => checkPublishedHead(deps.auditChain, head),
      page: (since: Date | null, after: { chain: string; seq: number } | null, limit: number) => deps.auditChain.page(since, after, limit),
    },
    keys: {
      /** Key ids of the ring in use, the active one first. */
      ring: () => ({ activeKeyId: deps.keyRing.activeKeyId, keyIds: [...deps.keyRing.keyIds] }),
      usage: () => deps.keyRotation.usage(clock.now()),
      /** Re-encrypts every secret under `ring`'s active key (a ring with a new key in front), and audits it. */
      async rotate(ring: KeyRing): Promise<{ reencrypted: number }> {
        const result = await reencryptSecrets(deps.keyRotation, ring);
        await deps.events.audit.record('key_rotated', null, null, { activeKeyId: ring.activeKeyId, reencrypted: result.reencrypted });
        return result;
      },
      /** Why a key cannot leave the ring yet (empty: it can). */
      retirementBlockers: async (keyId: string) => retirementBlockers(await deps.keyRotation.usage(clock.now()), keyId),
    },
  };
}

export type Admin = ReturnType<typeof createAdmin>;
