import type { Stores } from '../index.ts';
import { createMemoryAuditChainStore } from './audit-chain-store.ts';
import { createMemoryAuditStore } from './audit-store.ts';
import { createMemoryBackupCodeStore } from './backup-code-store.ts';
import { createMemoryChallengeStore } from './challenge-store.ts';
import { createMemoryEmailCodeStore } from './email-code-store.ts';
import { createMemoryEmailVerificationStore } from './email-verification-store.ts';
import { createMemoryEnforcementStore } from './enforcement-store.ts';
import { createMemoryKeyRotationStore } from './key-rotation-store.ts';
import { operatorStoresUnavailable } from './operator-stores.ts';
import { createMemoryPasswordResetStore } from './password-reset-store.ts';
import { createMemoryProfileStore } from './profile-store.ts';
import { createMemoryQrLinkStore } from './qr-link-store.ts';
import { createMemoryRateLimitStore } from './rate-limit-store.ts';
import { createMemorySessionStore } from './session-store.ts';
import { createMemorySettingsStore } from './settings-store.ts';
import { MemoryTables } from './tables.ts';
import { createMemoryThrottleStore } from './throttle-store.ts';
import { createMemoryTotpStore } from './totp-store.ts';
import { createMemoryTransactionStore } from './transaction-store.ts';
import { createMemoryTrustedDeviceStore } from './trusted-device-store.ts';
import { createMemoryUserStore } from './user-store.ts';
import { createMemoryWebAuthnStore } from './webauthn-store.ts';
import { createMemoryFactorChangeStore } from './factor-change-store.ts';

export { MemoryTables } from './tables.ts';

/**
 * Every store of `createStores(db)`, in memory: a whole core with no database, for tests that are about rules
 * rather than SQL (model-based runs, mutation testing). One process only: the atomicity each SQL statement has
 * across instances, these have because no call awaits between its read and its write. Pass `tables` to share one
 * "database" between several sets of stores (two cores), or to look at the rows.
 */
export function memoryStores(tables: MemoryTables = new MemoryTables()): Stores & { tables: MemoryTables } {
  return {
    tables,
    users: createMemoryUserStore(tables),
    sessions: createMemorySessionStore(tables),
    emailVerifications: createMemoryEmailVerificationStore(tables),
    totp: createMemoryTotpStore(tables),
    backupCodes: createMemoryBackupCodeStore(tables),
    transactions: createMemoryTransactionStore(tables),
    qrLinks: createMemoryQrLinkStore(tables),
    settings: createMemorySettingsStore(tables),
    emailCodes: createMemoryEmailCodeStore(tables),
    throttle: createMemoryThrottleStore(tables),
    audit: createMemoryAuditStore(tables),
    rateLimits: createMemoryRateLimitStore(tables),
    webauthn: createMemoryWebAuthnStore(tables),
    devices: createMemoryTrustedDeviceStore(tables),
    challenge: createMemoryChallengeStore(tables),
    keyRotation: createMemoryKeyRotationStore(tables),
    auditChain: createMemoryAuditChainStore(tables),
    profiles: createMemoryProfileStore(tables),
    passwordResets: createMemoryPasswordResetStore(tables),
    enforcement: createMemoryEnforcementStore(tables),
    factorChanges: createMemoryFactorChangeStore(tables),
    ...operatorStoresUnavailable(),
  };
}
