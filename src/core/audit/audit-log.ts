import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { RequestContext } from '../sessions/session.ts';
import type { AuditLog, AuditStore, SecurityEvent, SecurityEventKind } from './events.ts';

/** A security event as it is stored; built here so an atomic write can carry it along with the change it records. */
export function securityEvent(
  kind: SecurityEventKind,
  userId: string | null,
  context: RequestContext | null | undefined,
  details: Record<string, unknown>,
  at: Date,
): SecurityEvent {
  return {
    id: randomUUID(),
    userId,
    kind,
    client: context?.client ?? null,
    ip: context?.ip ?? null,
    userAgent: context?.userAgent?.slice(0, 512) ?? null,
    details,
    createdAt: at,
  };
}

/** `onRecord` sees every event as it is recorded (metrics); it must not throw. */
export function createAuditLog(store: AuditStore, clock: Clock, onRecord?: (kind: SecurityEventKind, details: Record<string, unknown>) => void): AuditLog {
  return {
    async record(kind, userId, context, details = {}) {
      onRecord?.(kind, details);
      await store.append(securityEvent(kind, userId, context, details, clock.now()));
    },
    /** Events written by an atomic statement elsewhere: only counted here. */
    observed(events) {
      for (const event of events) onRecord?.(event.kind, event.details);
    },
  };
}
