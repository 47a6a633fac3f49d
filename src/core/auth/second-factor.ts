import { consumeBackupCode } from '../factors/backup-codes.ts';
import { parseCodeInput } from '../factors/code-input.ts';
import { verifyTotpCode, type TotpDeps } from '../factors/totp-factor.ts';
import type { BackupCodeStore, TotpCredential } from '../factors/totp-store.ts';
import type { WebAuthnStore } from '../factors/webauthn/store.ts';
import type { AccountEvents } from '../audit/account-events.ts';
import type { RequestContext } from '../sessions/session.ts';
import type { UserRecord } from '../users/user.ts';

export interface SecondFactorDeps extends TotpDeps {
  backupCodes: BackupCodeStore;
  webauthn: WebAuthnStore;
  events: AccountEvents;
}

export type CodeCheck = 'ok' | 'invalid' | 'replayed';

/**
 * Checks what a user typed against their TOTP credential, and (when allowed) their backup codes,
 * spending whatever it accepts. Malformed input throws a typed error before any check is made.
 */
export async function checkSecondFactorCode(
  deps: SecondFactorDeps,
  credential: TotpCredential,
  raw: unknown,
  options: { allowBackupCode: boolean; user: UserRecord; context?: RequestContext | null },
): Promise<CodeCheck> {
  const candidates = parseCodeInput(raw, credential.params.digits);
  let outcome: CodeCheck = 'invalid';
  if (candidates.otp) {
    outcome = await verifyTotpCode(deps, credential, candidates.otp);
    if (outcome === 'ok') return outcome;
  }
  if (candidates.backup && options.allowBackupCode) {
    if (await consumeBackupCode(deps, credential.userId, candidates.backup, deps.clock.now())) return 'ok';
  }
  // A code that was right once and comes again is a sign of a watcher (ASVS 2.8.5): log and tell.
  if (outcome === 'replayed') await deps.events.replayRejected(options.user, options.context);
  return outcome;
}
