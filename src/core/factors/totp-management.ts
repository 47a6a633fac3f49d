import { TwofoldError } from '../errors.ts';
import type { RequestContext } from '../sessions/session.ts';
import type { UserRecord } from '../users/user.ts';
import { checkSecondFactorCode, type SecondFactorDeps } from '../auth/second-factor.ts';
import { formatBackupCode, generateBackupCodes, hashBackupCodes } from './backup-codes.ts';
import { parseCodeInput } from './code-input.ts';
import { verifyTotpCode } from './totp-factor.ts';
import type { TotpCredential } from './totp-store.ts';
import { throttledCheck, type ThrottleDeps } from '../guard/account-throttle.ts';

export interface TotpManagementDeps extends SecondFactorDeps {
  throttle: ThrottleDeps;
}

/** Who asks, for the audit log, and which session survives a change that ends the others. */
export interface ChangeContext {
  context?: RequestContext | null;
  keepSessionId?: string | null;
}

/** A code check that counts against the account throttle. */
function checkThrottled(deps: TotpManagementDeps, user: UserRecord, credential: TotpCredential, code: unknown, allowBackupCode: boolean, change: ChangeContext) {
  parseCodeInput(code, credential.params.digits);
  return throttledCheck(
    deps.throttle,
    user,
    () => checkSecondFactorCode(deps, credential, code, { allowBackupCode, user, context: change.context ?? null }),
    (o) => o === 'ok',
  );
}

/**
 * Confirms the user's pending authenticator with a code from it. Only then does it become the
 * active one (replacing any previous one), and the user gets fresh backup codes, shown this once.
 */
export async function confirmTotp(deps: TotpManagementDeps, user: UserRecord, code: unknown, change: ChangeContext = {}): Promise<{ backupCodes: string[] }> {
  const pending = await deps.totp.findPending(user.id);
  if (!pending) throw new TwofoldError('totp_not_pending');
  const { otp } = parseCodeInput(code, pending.params.digits);
  if (!otp || (await verifyTotpCode(deps, pending, otp)) !== 'ok') throw new TwofoldError('code_invalid');
  const backupCodes = generateBackupCodes();
  if (!(await deps.totp.activate(pending.id, user.id, deps.clock.now(), hashBackupCodes(deps.keyRing, user.id, backupCodes)))) {
    throw new TwofoldError('totp_not_pending');
  }
  await deps.events.factorChanged(user, 'totp', 'enabled', change.context);
  return { backupCodes: backupCodes.map(formatBackupCode) };
}

/** Removes the authenticator and backup codes. Needs proof: a current TOTP code or a backup code. */
export async function disableTotp(deps: TotpManagementDeps, user: UserRecord, code: unknown, change: ChangeContext = {}): Promise<void> {
  const active = await deps.totp.findActive(user.id);
  if (!active) throw new TwofoldError('totp_not_enabled');
  if ((await checkThrottled(deps, user, active, code, true, change)) !== 'ok') throw new TwofoldError('code_invalid');
  await deps.totp.removeAll(user.id);
  await deps.events.factorChanged(user, 'totp', 'disabled', change.context, change.keepSessionId);
}

/** Replaces all backup codes. Needs a current TOTP code (a backup code cannot mint new ones). */
export async function regenerateBackupCodes(
  deps: TotpManagementDeps,
  user: UserRecord,
  code: unknown,
  change: ChangeContext = {},
): Promise<{ backupCodes: string[] }> {
  const active = await deps.totp.findActive(user.id);
  if (!active) throw new TwofoldError('totp_not_enabled');
  if ((await checkThrottled(deps, user, active, code, false, change)) !== 'ok') throw new TwofoldError('code_invalid');
  const backupCodes = generateBackupCodes();
  await deps.backupCodes.replace(user.id, hashBackupCodes(deps.keyRing, user.id, backupCodes), deps.clock.now());
  await deps.events.factorChanged(user, 'totp', 'backup_codes_regenerated', change.context);
  return { backupCodes: backupCodes.map(formatBackupCode) };
}
