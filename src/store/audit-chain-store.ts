import type { AuditChainStore, ChainBreak, ChainedEvent } from '../core/audit/chain.ts';
import type { SecurityEvent } from '../core/audit/events.ts';
import type { Queryable } from './db.ts';

/**
 * Each event beside the one before it in its chain, and what its hash should be (migration 0010's byte form). A
 * chain whose oldest links retention removed (migration 0011) starts after its pruning point, which stands in for
 * the link before its first.
 */
const LINKS = `
  SELECT e.chain, e.seq, e.id, encode(e.hash, 'hex') AS hash, encode(e.prev_hash, 'hex') AS prev_hash,
         encode(sha256(twofold_event_bytes(e.id, e.user_id, e.kind, e.client, e.ip, e.user_agent, e.details, e.created_at, e.chain, e.seq)
                       || coalesce(e.prev_hash, ''::bytea)), 'hex') AS expected,
         coalesce(lag(e.seq) OVER w, p.seq) AS previous_seq, encode(coalesce(lag(e.hash) OVER w, p.hash), 'hex') AS previous_hash,
         row_number() OVER w AS position
    FROM security_events e
    LEFT JOIN audit_chain_pruned p ON p.chain = e.chain
   WHERE $1::text IS NULL OR e.chain = $1
  WINDOW w AS (PARTITION BY e.chain ORDER BY e.seq)`;

interface LinkRow {
  chain: string;
  seq: string;
  id: string;
  hash: string;
  prev_hash: string | null;
  expected: string;
  previous_seq: string | null;
  previous_hash: string | null;
  position: string;
}

function linkBreaks(row: LinkRow): ChainBreak[] {
  const seq = Number(row.seq);
  const at = { chain: row.chain, seq, eventId: row.id };
  const breaks: ChainBreak[] = [];
  if (row.expected !== row.hash) breaks.push({ ...at, problem: 'edited', expected: row.expected, found: row.hash });
  const previousSeq = row.previous_seq === null ? 0 : Number(row.previous_seq);
  if (seq !== previousSeq + 1) breaks.push({ ...at, problem: 'missing', expected: String(previousSeq + 1), found: String(seq) });
  if ((row.prev_hash ?? null) !== (row.previous_hash ?? null) && seq === previousSeq + 1) {
    breaks.push({ ...at, problem: 'link-broken', expected: row.previous_hash, found: row.prev_hash });
  }
  return breaks;
}

export function createAuditChainStore(db: Queryable): AuditChainStore {
  return {
    async verify(chain) {
      // Only the links that do not hold come back: the walk itself stays in the database, however long the log.
      const rows = await db.query<LinkRow>(
        `SELECT * FROM (${LINKS}) l
          WHERE l.expected <> l.hash OR l.seq <> coalesce(l.previous_seq, 0) + 1 OR l.prev_hash IS DISTINCT FROM l.previous_hash
          ORDER BY chain, seq`,
        [chain],
      );
      const [total] = await db.query<{ events: string; chains: string }>(
        `SELECT count(*) AS events, count(DISTINCT chain) AS chains FROM security_events WHERE $1::text IS NULL OR chain = $1`,
        [chain],
      );
      const breaks = rows.flatMap(linkBreaks);
      const heads = await db.query<{ chain: string; seq: string; hash: string | null; last_seq: string | null; last_hash: string | null }>(
        // A chain retention removed whole ends at its pruning point.
        `SELECT h.chain, h.seq, encode(h.hash, 'hex') AS hash, coalesce(l.seq, p.seq) AS last_seq, encode(coalesce(l.hash, p.hash), 'hex') AS last_hash
           FROM audit_chain_heads h
           LEFT JOIN LATERAL (SELECT seq, hash FROM security_events e WHERE e.chain = h.chain ORDER BY seq DESC LIMIT 1) l ON true
           LEFT JOIN audit_chain_pruned p ON p.chain = h.chain
          WHERE $1::text IS NULL OR h.chain = $1`,
        [chain],
      );
      for (const head of heads) {
        if (head.last_seq === null || Number(head.last_seq) < Number(head.seq)) {
          breaks.push({ chain: head.chain, seq: Number(head.seq), eventId: null, problem: 'tail-cut', expected: String(head.seq), found: head.last_seq === null ? null : String(head.last_seq) });
        } else if (head.last_hash !== head.hash || head.last_seq !== head.seq) {
          breaks.push({ chain: head.chain, seq: Number(head.last_seq), eventId: null, problem: 'head-mismatch', expected: head.hash, found: head.last_hash });
        }
      }
      return { chains: Math.max(Number(total!.chains), heads.length), events: Number(total!.events), breaks };
    },
    async heads() {
      const rows = await db.query<{ chain: string; seq: string; hash: string | null }>(`SELECT chain, seq, encode(hash, 'hex') AS hash FROM audit_chain_heads ORDER BY chain`);
      return rows.map((r) => ({ chain: r.chain, seq: Number(r.seq), hash: r.hash }));
    },
    async hashAt(chain, seq) {
      // The last link retention removed keeps its hash (its chain's pruning point), so a head that named it still checks.
      const rows = await db.query<{ hash: string }>(
        `SELECT encode(hash, 'hex') AS hash FROM security_events WHERE chain = $1 AND seq = $2
         UNION ALL SELECT encode(hash, 'hex') FROM audit_chain_pruned WHERE chain = $1 AND seq = $2`,
        [chain, seq],
      );
      return rows[0]?.hash ?? null;
    },
    async page(since, after, limit) {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT id, user_id, kind, client, ip, user_agent, details, created_at, chain, seq,
                encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash
           FROM security_events
          WHERE ($1::timestamptz IS NULL OR created_at >= $1) AND ($2::text IS NULL OR (chain, seq) > ($2::text, $3::bigint))
          ORDER BY chain, seq LIMIT $4`,
        [since, after?.chain ?? null, after?.seq ?? 0, limit],
      );
      return rows.map(
        (r): ChainedEvent => ({
          id: r.id as string,
          userId: r.user_id as string | null,
          kind: r.kind as SecurityEvent['kind'],
          client: r.client as string | null,
          ip: r.ip as string | null,
          userAgent: r.user_agent as string | null,
          details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
          createdAt: r.created_at as Date,
          chain: r.chain as string,
          seq: Number(r.seq),
          prevHash: r.prev_hash as string | null,
          hash: r.hash as string,
        }),
      );
    },
  };
}
