import type { RequestContext } from '../sessions/session.ts';

/** What the audit log records. Names are stable: operators filter on them. */
export type SecurityEventKind =
  | 'login_succeeded'
  | 'login_failed'
  | 'challenge_issued'
  | 'challenge_passed'
  | 'challenge_failed'
  | 'factor_enabled'
  | 'factor_disabled'
  | 'backup_codes_regenerated'
  | 'account_locked'
  | 'totp_replay_rejected'
  | 'password_changed'
  | 'password_reset_requested'
  | 'password_reset'
  | 'sessions_revoked'
  | 'key_rotated'
  | 'device_trusted'
  | 'devices_revoked'
  | 'password_check_failed'
  | 'roles_changed'
  | 'enforcement_changed'
  /** The admin API (issue 19): every call, by token; tokens made and revoked; secrets moved in or out. */
  | 'admin_api_call'
  | 'admin_token_created'
  | 'admin_token_revoked'
  | 'factors_reset'
  | 'totp_imported'
  | 'totp_exported'
  | 'webhook_created'
  | 'webhook_removed'
  /** The veto window (FACTOR_CHANGE_VETO_SECONDS): a change held, made when due, or cancelled by the owner's link. */
  | 'factor_change_requested'
  | 'factor_change_applied'
  | 'factor_change_vetoed'
  | 'account_locked_by_owner'
  | 'account_unlocked';

export interface SecurityEvent {
  id: string;
  userId: string | null;
  kind: SecurityEventKind;
  client: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Never a secret: methods, reasons, counts. */
  details: Record<string, unknown>;
  createdAt: Date;
}

export interface AuditStore {
  append(event: SecurityEvent): Promise<void>;
  listForUser(userId: string, options: { limit: number; before?: Date }): Promise<SecurityEvent[]>;
  query(filter: { userId?: string; kind?: SecurityEventKind; since?: Date; limit: number }): Promise<SecurityEvent[]>;
}

/** The core's way to record an event; contexts are optional where no request is behind the change. */
export interface AuditLog {
  record(kind: SecurityEventKind, userId: string | null, context?: RequestContext | null, details?: Record<string, unknown>): Promise<void>;
  /** Events another atomic write stored: observed (metrics) without being written again. */
  observed(events: readonly SecurityEvent[]): void;
}
