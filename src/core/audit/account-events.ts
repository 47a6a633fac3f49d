import type { Clock } from '../clock.ts';
import type { FactorName, Notifier } from '../notices.ts';
import type { RequestContext } from '../sessions/session.ts';
import type { SessionStore } from '../sessions/store.ts';
import type { TrustedDeviceStore } from '../devices/store.ts';
import type { UserRecord } from '../users/user.ts';
import type { AuditLog } from './events.ts';

export type FactorChange = 'enabled' | 'disabled' | 'backup_codes_regenerated';

/**
 * What follows a security-relevant change to an account, in one place: the audit record, the mail to the
 * user (ASVS 2.5.5, 2.8.5) and, when a factor goes, the end of every other session (ASVS 2.8.6).
 */
export interface AccountEvents {
  audit: AuditLog;
  factorChanged(user: UserRecord, factor: FactorName, change: FactorChange, context?: RequestContext | null, keepSessionId?: string | null): Promise<void>;
  replayRejected(user: UserRecord, context?: RequestContext | null): Promise<void>;
  passwordChanged(user: UserRecord, context: RequestContext | null, keepSessionId: string | null): Promise<void>;
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
}): AccountEvents {
  // Mail is best effort here: the change is made and recorded; an outage must not undo it.
  const tell = (notice: Parameters<Notifier['send']>[0]) => deps.notifier.send(notice).catch(() => undefined);

  async function revokeOthers(user: UserRecord, context: RequestContext | null | undefined, keepSessionId: string | null | undefined, reason: string) {
    const revoked = await deps.sessions.revokeAllForUser(user.id, deps.clock.now(), keepSessionId ?? undefined);
    if (revoked > 0) await deps.audit.record('sessions_revoked', user.id, context, { count: revoked, reason });
  }

  /** A weaker account must not keep devices that skip its second factor. */
  async function forgetDevices(user: UserRecord, context: RequestContext | null | undefined, reason: string) {
    const revoked = await deps.devices.revokeAllForUser(user.id, deps.clock.now());
    if (revoked > 0) await deps.audit.record('devices_revoked', user.id, context, { count: revoked, reason });
  }

  return {
    audit: deps.audit,
    async factorChanged(user, factor, change, context, keepSessionId) {
      const at = deps.clock.now();
      if (change === 'backup_codes_regenerated') {
        await deps.audit.record('backup_codes_regenerated', user.id, context);
        await tell({ kind: 'backup-codes-regenerated', to: user.email, at });
        return;
      }
      await deps.audit.record(change === 'enabled' ? 'factor_enabled' : 'factor_disabled', user.id, context, { factor });
      if (change === 'disabled') {
        await revokeOthers(user, context, keepSessionId, `${factor} disabled`);
        await forgetDevices(user, context, `${factor} disabled`);
      }
      await tell({ kind: change === 'enabled' ? 'factor-enabled' : 'factor-disabled', to: user.email, factor, at });
    },
    async replayRejected(user, context) {
      await deps.audit.record('totp_replay_rejected', user.id, context);
      // One mail per burst, decided atomically across instances: a replay storm must not become a mail storm.
      if (await deps.firstInWindow(`notify:replay:${user.id}`, REPLAY_MAIL_QUIET_SECONDS)) {
        await tell({ kind: 'totp-replay-rejected', to: user.email, at: deps.clock.now() });
      }
    },
    async passwordChanged(user, context, keepSessionId) {
      await deps.audit.record('password_changed', user.id, context);
      await revokeOthers(user, context, keepSessionId, 'password changed');
      await forgetDevices(user, context, 'password changed');
    },
  };
}
