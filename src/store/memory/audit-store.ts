import type { AuditStore, SecurityEvent } from '../../core/audit/events.ts';
import { appendChained } from './audit-chain-store.ts';
import type { MemoryTables } from './tables.ts';

function eventOf(row: SecurityEvent): SecurityEvent {
  const { id, userId, kind, client, ip, userAgent, details, createdAt } = row;
  return { id, userId, kind, client, ip, userAgent, details: structuredClone(details), createdAt };
}

/** Newest first, ties by id (the SQL's ORDER BY created_at DESC, id). */
const newestFirst = (a: SecurityEvent, b: SecurityEvent) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function createMemoryAuditStore(tables: MemoryTables): AuditStore {
  return {
    async append(event) {
      appendChained(tables, [event]);
    },
    async listForUser(userId, { limit, before }) {
      return tables.events
        .filter((e) => e.userId === userId && (!before || e.createdAt < before))
        .sort(newestFirst)
        .slice(0, limit)
        .map(eventOf);
    },
    async query({ userId, kind, since, limit }) {
      return tables.events
        .filter((e) => (!userId || e.userId === userId) && (!kind || e.kind === kind) && (!since || e.createdAt >= since))
        .sort(newestFirst)
        .slice(0, limit)
        .map(eventOf);
    },
  };
}
