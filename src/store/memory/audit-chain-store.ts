import { createHash } from 'node:crypto';
import type { AuditChainStore, ChainBreak, ChainedEvent } from '../../core/audit/chain.ts';
import type { SecurityEvent } from '../../core/audit/events.ts';
import { type MemoryTables, uniqueViolation } from './tables.ts';

/** What an event's hash covers: every field but the hash fields, in one fixed form (as migration 0010, in JSON). */
function eventHash(event: SecurityEvent, chain: string, seq: number, prevHash: string | null): string {
  const bytes = [event.id, event.userId ?? '', event.kind, event.client ?? '', event.ip ?? '', event.userAgent ?? '', JSON.stringify(event.details), event.createdAt.toISOString(), chain, String(seq)].join('\u001f');
  return createHash('sha256').update(bytes).update(Buffer.from(prevHash ?? '', 'hex')).digest('hex');
}

/** An event id already stored (or repeated) fails the write that carries it, before it changes anything. */
export function assertNewEvents(tables: MemoryTables, events: readonly SecurityEvent[]): void {
  const ids = new Set(tables.events.map((e) => e.id));
  for (const event of events) {
    if (ids.has(event.id)) throw uniqueViolation('security_events_pkey');
    ids.add(event.id);
  }
}

/** Appends events as the next links of their chains (one per user, 'global' for none): all or none. */
export function appendChained(tables: MemoryTables, events: readonly SecurityEvent[]): void {
  assertNewEvents(tables, events);
  for (const event of events) {
    const chain = event.userId ?? 'global';
    const head = tables.chainHeads.get(chain) ?? { seq: 0, hash: null };
    const seq = head.seq + 1;
    const hash = eventHash(event, chain, seq, head.hash);
    tables.events.push({ ...event, details: structuredClone(event.details), chain, seq, prevHash: head.hash, hash });
    tables.chainHeads.set(chain, { seq, hash });
  }
}

const inChainOrder = (a: ChainedEvent, b: ChainedEvent) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : a.seq - b.seq);

function chainBreaks(links: ChainedEvent[]): ChainBreak[] {
  const breaks: ChainBreak[] = [];
  let previous: ChainedEvent | null = null;
  for (const link of links) {
    const at = { chain: link.chain, seq: link.seq, eventId: link.id };
    const expected = eventHash(link, link.chain, link.seq, link.prevHash);
    if (expected !== link.hash) breaks.push({ ...at, problem: 'edited', expected, found: link.hash });
    const previousSeq = previous?.seq ?? 0;
    if (link.seq !== previousSeq + 1) breaks.push({ ...at, problem: 'missing', expected: String(previousSeq + 1), found: String(link.seq) });
    else if (link.prevHash !== (previous?.hash ?? null)) breaks.push({ ...at, problem: 'link-broken', expected: previous?.hash ?? null, found: link.prevHash });
    previous = link;
  }
  return breaks;
}

/** The audit chain over the memory tables: the same walk `twofold audit verify` makes over SQL. */
export function createMemoryAuditChainStore(tables: MemoryTables): AuditChainStore {
  const chainOf = (chain: string | null) => tables.events.filter((e) => chain === null || e.chain === chain).sort(inChainOrder);
  return {
    async verify(chain) {
      const events = chainOf(chain);
      const names = [...new Set([...events.map((e) => e.chain), ...[...tables.chainHeads.keys()].filter((c) => chain === null || c === chain)])];
      const breaks: ChainBreak[] = [];
      for (const name of names) {
        const links = events.filter((e) => e.chain === name);
        breaks.push(...chainBreaks(links));
        const head = tables.chainHeads.get(name);
        const last = links.at(-1);
        if (!head) continue;
        if (!last || last.seq < head.seq) {
          breaks.push({ chain: name, seq: head.seq, eventId: null, problem: 'tail-cut', expected: String(head.seq), found: last ? String(last.seq) : null });
        } else if (last.hash !== head.hash || last.seq !== head.seq) {
          breaks.push({ chain: name, seq: last.seq, eventId: null, problem: 'head-mismatch', expected: head.hash, found: last.hash });
        }
      }
      return { chains: names.length, events: events.length, breaks };
    },
    async heads() {
      return [...tables.chainHeads].map(([chain, head]) => ({ chain, ...head })).sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
    },
    async hashAt(chain, seq) {
      return tables.events.find((e) => e.chain === chain && e.seq === seq)?.hash ?? null;
    },
    async page(since, after, limit) {
      return chainOf(null)
        .filter((e) => (!since || e.createdAt >= since) && (!after || e.chain > after.chain || (e.chain === after.chain && e.seq > after.seq)))
        .slice(0, limit)
        .map((e) => ({ ...e, details: structuredClone(e.details) }));
    },
  };
}
