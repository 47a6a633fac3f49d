import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { AuditLog, AuditStore, SecurityEventKind } from './events.ts';

/** `onRecord` sees every event as it is recorded (metrics); it must not throw. */
export function createAuditLog(store: AuditStore, clock: Clock, onRecord?: (kind: SecurityEventKind, details: Record<string, unknown>) => void): AuditLog {
  return {
    async record(kind, userId, context, details = {}) {
      onRecord?.(kind, details);
      await store.append({
        id: randomUUID(),
        userId,
        kind,
        client: context?.client ?? null,
        ip: context?.ip ?? null,
        userAgent: context?.userAgent?.slice(0, 512) ?? null,
        details,
        createdAt: clock.now(),
      });
    },
  };
}
