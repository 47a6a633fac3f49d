import type { CoreStores } from '../core/index.ts';
import { createChallengeStore } from './challenge-store.ts';
import { createKeyRotationStore } from './key-rotation-store.ts';
import { createAuditChainStore } from './audit-chain-store.ts';
import type { Db } from './db.ts';
import { createSessionStore } from './session-store.ts';
import { createEmailVerificationStore, createUserStore } from './user-store.ts';
import { createBackupCodeStore, createQrLinkStore, createTotpStore } from './totp-store.ts';
import { createTransactionStore } from './transaction-store.ts';
import { createEmailCodeStore } from './email-code-store.ts';
import { createThrottleStore } from './throttle-store.ts';
import { createAuditStore } from './audit-store.ts';
import { createRateLimitStore } from './rate-limit-store.ts';
import { createSettingsStore, type SettingsStore } from './settings-store.ts';
import { createWebAuthnStore } from './webauthn-store.ts';
import { createTrustedDeviceStore } from './trusted-device-store.ts';
import { createProfileStore } from './profile-store.ts';
import { createPasswordResetStore } from './password-reset-store.ts';
import { createEnforcementStore } from './enforcement-store.ts';
import { createAdminTokenStore } from './admin-token-store.ts';
import { createAdminDirectoryStore } from './admin-directory-store.ts';
import { createTotpTransferStore } from './totp-transfer-store.ts';
import { createWebhookStore } from './webhook-store.ts';
import { createFactorChangeStore } from './factor-change-store.ts';

export type { Db, Queryable } from './db.ts';
export { migrate } from './migrate.ts';
export { purgeExpired, type PurgeCounts, type PurgeOptions } from './purge.ts';
export { runUntil, withDeadline } from './deadline.ts';

/** Every store: the core's ports plus what only the server assembly uses. */
export interface Stores extends CoreStores {
  settings: SettingsStore;
}

export function createStores(db: Db): Stores {
  return {
    users: createUserStore(db),
    sessions: createSessionStore(db),
    emailVerifications: createEmailVerificationStore(db),
    totp: createTotpStore(db),
    backupCodes: createBackupCodeStore(db),
    transactions: createTransactionStore(db),
    qrLinks: createQrLinkStore(db),
    settings: createSettingsStore(db),
    emailCodes: createEmailCodeStore(db),
    throttle: createThrottleStore(db),
    audit: createAuditStore(db),
    rateLimits: createRateLimitStore(db),
    webauthn: createWebAuthnStore(db),
    devices: createTrustedDeviceStore(db),
    challenge: createChallengeStore(db),
    keyRotation: createKeyRotationStore(db),
    auditChain: createAuditChainStore(db),
    profiles: createProfileStore(db),
    passwordResets: createPasswordResetStore(db),
    enforcement: createEnforcementStore(db),
    adminTokens: createAdminTokenStore(db),
    directory: createAdminDirectoryStore(db),
    totpTransfer: createTotpTransferStore(db),
    webhooks: createWebhookStore(db),
    factorChanges: createFactorChangeStore(db),
  };
}

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize: number; statementTimeoutMs: number; poolWaitMs: number }
  | { kind: 'pglite'; dataDir: string | undefined };

export async function openDb(target: DatabaseTarget, onError?: (error: Error) => void): Promise<Db> {
  if (target.kind === 'postgres') {
    const { url, poolSize, statementTimeoutMs, poolWaitMs } = target;
    // Each driver is loaded only for its database: node-postgres costs the embedded default's start ≈ 0.1 s.
    const { createPgDb } = await import('./pg-driver.ts');
    return createPgDb({ connectionString: url, poolSize, statementTimeoutMs, poolWaitMs, ...(onError ? { onError } : {}) });
  }
  // Loaded only for the embedded database: PGlite costs a server on PostgreSQL about 44 MB of memory otherwise.
  const { createPgliteDb } = await import('./pglite-driver.ts');
  return createPgliteDb(target.dataDir);
}
