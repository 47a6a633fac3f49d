import type { AccountEvents } from '../audit/account-events.ts';
import type { ThrottleStore } from '../challenge/throttle.ts';
import type { Clock } from '../clock.ts';
import type { TrustedDeviceStore } from '../devices/store.ts';
import { TwofoldError } from '../errors.ts';
import type { BackupCodeStore, TotpStore } from '../factors/totp-store.ts';
import type { WebAuthnStore } from '../factors/webauthn/store.ts';
import type { Notifier, ResettableFactor } from '../notices.ts';
import type { RequestContext } from '../sessions/session.ts';
import type { LoginTransactionStore } from '../transactions/store.ts';
import type { UserStore } from '../users/store.ts';
import type { UserRecord } from '../users/user.ts';

export const RESETTABLE_FACTORS: readonly ResettableFactor[] = ['totp', 'email', 'passkeys', 'backup_codes', 'remembered_devices'];

export interface FactorResetDeps {
  users: UserStore;
  totp: TotpStore;
  backupCodes: BackupCodeStore;
  webauthn: WebAuthnStore;
  devices: TrustedDeviceStore;
  transactions: LoginTransactionStore;
  throttle: ThrottleStore;
  events: AccountEvents;
  notifier: Notifier;
  clock: Clock;
}

export function parseResetTarget(raw: unknown): ResettableFactor[] {
  if (raw === 'all') return [...RESETTABLE_FACTORS];
  if (typeof raw === 'string' && (RESETTABLE_FACTORS as readonly string[]).includes(raw)) return [raw as ResettableFactor];
  throw new TwofoldError('validation_failed', { factor: `one of ${RESETTABLE_FACTORS.join(', ')}, or all` });
}

/**
 * An operator removes one kind of factor (or all) from a user who lost it. Whatever goes, the account is weaker
 * than its owner left it, so it always ends every session and pending sign-in and mails the owner (ASVS 2.5.5,
 * 2.8.6): an operator's token stolen cannot quietly strip an account. `all` also lifts a lockout.
 */
export async function resetFactors(deps: FactorResetDeps, user: UserRecord, factors: readonly ResettableFactor[], context: RequestContext): Promise<void> {
  const now = deps.clock.now();
  for (const factor of factors) {
    switch (factor) {
      case 'totp':
        // Backup codes stand for the authenticator they came with: they go with it.
        await deps.totp.removeAll(user.id);
        await deps.backupCodes.replace(user.id, [], now);
        break;
      case 'email':
        if (user.emailTwoFactorEnabledAt) await deps.users.setEmailTwoFactor(user.id, null, now);
        break;
      case 'passkeys':
        await deps.webauthn.removeAll(user.id);
        break;
      case 'backup_codes':
        await deps.backupCodes.replace(user.id, [], now);
        break;
      case 'remembered_devices':
        await deps.devices.revokeAllForUser(user.id, now);
        break;
    }
  }
  await deps.transactions.burnAllForUser(user.id, now);
  if (factors.length === RESETTABLE_FACTORS.length) await deps.throttle.reset(user.id);
  await deps.events.audit.record('factors_reset', user.id, context, { factors });
  await deps.events.endOtherSessions(user, context, null, `factors reset by an operator: ${factors.join(', ')}`);
  await deps.notifier.send({ kind: 'factors-reset', to: user.email, factors: [...factors], at: now }).catch(() => undefined);
}
