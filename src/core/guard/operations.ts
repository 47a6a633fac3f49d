import type { ProtectedOperation } from './second-factor-guard.ts';

/**
 * Operations the guard protects. Those that weaken the account never ride on the remember-for grace
 * (security.md threats 8 and 11); users without factors prove them with their password.
 */
export const protectedOperations = {
  disableTotp: { name: 'disable-totp', weakensAccount: true, passwordFallback: true },
  disableEmailFactor: { name: 'disable-email-2fa', weakensAccount: true, passwordFallback: true },
  regenerateBackupCodes: { name: 'regenerate-backup-codes', weakensAccount: true, passwordFallback: true },
  changePassword: { name: 'change-password', weakensAccount: true, passwordFallback: true },
  changeEmail: { name: 'change-email', weakensAccount: true, passwordFallback: true },
  deleteAccount: { name: 'delete-account', weakensAccount: true, passwordFallback: true },
  createApiToken: { name: 'create-api-token', weakensAccount: false, passwordFallback: true },
  // A stolen session must not add its own key: a user who has a factor proves it first.
  addWebAuthnKey: { name: 'add-webauthn-key', weakensAccount: false, passwordFallback: false },
  removeWebAuthnKey: { name: 'remove-webauthn-key', weakensAccount: true, passwordFallback: false },
} as const satisfies Record<string, ProtectedOperation>;
