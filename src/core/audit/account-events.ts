import type { Clock } from '../clock.ts';
import type { FactorName, Notifier } from '../notices.ts';
import type { RequestContext } from '../sessions/session.ts';
import type { SessionStore } from '../sessions/store.ts';
import type { TrustedDeviceStore } from '../devices/store.ts';
import type { UserRecord } from '../users/user.ts';
import type { AuditLog } from './events.ts';

/** `replaced`: a new authenticator took the place of a working one, which weakens the account like turning it off. */
export type FactorChange = 'enabled' | 'replaced' | 'disabled' | 'backup_codes_regenerated';

/**
 * What follows a security-relevant change to an account, in one place: the audit record, the mail to the
 * user (ASVS 2.5.5, 2.8.5) and, when a factor goes or is replaced, the end of every other session and
 * remembered device (ASVS 2.8.6).
 */
export interface AccountEvents {
  audit: AuditLog;
  factorChanged(
    user: UserRecord,
    factor: FactorName,
    change: FactorChange,
    context?: RequestContext | null,
    keepSessionId?: string | null,
    /** `applied`: a change the veto window held, now made (its mail already carried the veto link). */
    options?: { audited?: boolean; applied?: boolean },
  ): Promise<void>;
  replayRejected(user: UserRecord): Promise<void>;
  /** A new password, by the user (`changed`) or through a mailed link (`reset`): audited, mailed, other sessions ended. */
  passwordChanged(user: UserRecord, context: RequestContext | null, keepSessionId: string | null, how?: 'changed' | 'reset'): Promise<void>;
  /** Ends every other session and forgets every remembered device (a factor gone, a password changed, a reset). */
  endOtherSessions(user: UserRecord, context: RequestContext | null | undefined, keepSessionId: string | null | undefined, reason: string): Promise<void>;
}

const REPLAY_MAIL_QUIET_SECONDS = 10 * 60;

export function createAccountEvents(deps: {
  audit: AuditLog;
  /** True for the first call with `key` in a window of `windowSeconds`, across all instances. */
  firstInWindow(key: string, windowSeconds: number): Promise<boolean>;
  notifier: Notifier;
  sessions: SessionStore;
  devices: TrustedDeviceStore;
  clock: Clock;
  /** With the veto window on, a factor turned on at once (a first one) is recorded so its mail carries a veto link. */
  firstFactorVeto?(user: UserRecord, factor: FactorName): Promise<{ link: string; until: Date } | null>;
}): AccountEvents {
  // Mail is best effort here: the change is made and recorded; an outage must not undo it.
  const tell = (notice: Parameters<Notifier['send']>[0]) => deps.notifier.send(notice).catch(() => undefined);

  async function endOtherSessions(user: UserRecord, context: RequestContext | null | undefined, keepSessionId: string | null | undefined, reason: string) {
    const now = deps.clock.now();
    const revoked = await deps.sessions.revokeAllForUser(user.id, now, keepSessionId ?? undefined);
    if (revoked > 0) await deps.audit.record('sessions_revoked', user.id, context, { count: revoked, reason });
    // A weaker account must not keep devices that skip its second factor.
    const forgotten = await deps.devices.revokeAllForUser(user.id, now);
    if (forgotten > 0) await deps.audit.record('devices_revoked', user.id, context, { count: forgotten, reason });
  }

  return {
    audit: deps.audit,
    endOtherSessions,
    async factorChanged(user, factor, change, context, keepSessionId, options = {}) {
      const at = deps.clock.now();
      if (change === 'backup_codes_regenerated') {
        if (!options.audited) await deps.audit.record('backup_codes_regenerated', user.id, context);
        await tell({ kind: 'backup-codes-regenerated', to: user.email, at });
        return;
      }
      const enabled = change !== 'disabled';
      if (!options.audited) await deps.audit.record(enabled ? 'factor_enabled' : 'factor_disabled', user.id, context, { factor, ...(change === 'replaced' ? { replaced: true } : {}) });
      if (change !== 'enabled') await endOtherSessions(user, context, keepSessionId, `${factor} ${change}`);
      if (!enabled) return tell({ kind: 'factor-disabled', to: user.email, factor, at });
      const veto = change === 'enabled' && !options.applied ? await deps.firstFactorVeto?.(user, factor) : null;
      await tell({ kind: 'factor-enabled', to: user.email, factor, at, ...(veto ? { veto } : {}) });
    },
    async replayRejected(user) {
      // One mail per burst, decided atomically across instances: a replay storm must not become a mail storm.
      if (await deps.firstInWindow(`notify:replay:${user.id}`, REPLAY_MAIL_QUIET_SECONDS)) {
        await tell({ kind: 'totp-replay-rejected', to: user.email, at: deps.clock.now() });
      }
    },
    async passwordChanged(user, context, keepSessionId, how = 'changed') {
      await deps.audit.record(how === 'reset' ? 'password_reset' : 'password_changed', user.id, context);
      await endOtherSessions(user, context, keepSessionId, how === 'reset' ? 'password reset' : 'password changed');
      await tell({ kind: 'password-changed', to: user.email, at: deps.clock.now(), reset: how === 'reset' });
    },
  };
}
