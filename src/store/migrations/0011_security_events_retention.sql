-- Retention of the audit log (SECURITY_EVENTS_RETENTION_DAYS; the default keeps every event). The log stays
-- append-only: never an UPDATE, and a DELETE only of events older than the cutoff that the purge declares for its
-- own transaction (`twofold.events_retention_cutoff`), and only of whole prefixes of a chain (its oldest links).
-- Where each pruned chain now starts is kept in `audit_chain_pruned` (the place and hash of the last link removed),
-- so `twofold audit verify` checks the rest of the chain from there.
CREATE TABLE audit_chain_pruned (
  chain text PRIMARY KEY,
  seq bigint NOT NULL,
  hash bytea NOT NULL
);

CREATE OR REPLACE FUNCTION security_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cutoff text := current_setting('twofold.events_retention_cutoff', true);
BEGIN
  IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <> '' AND OLD.created_at < cutoff::timestamptz THEN
    INSERT INTO audit_chain_pruned (chain, seq, hash) VALUES (OLD.chain, OLD.seq, OLD.hash)
      ON CONFLICT (chain) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash WHERE audit_chain_pruned.seq < EXCLUDED.seq;
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'security_events is append-only';
END;
$$;

-- After each DELETE: no chain it touched may keep a link at or before its pruning point (a prefix, never a hole).
CREATE FUNCTION security_events_prefix_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT chain FROM gone) g
               JOIN audit_chain_pruned p ON p.chain = g.chain
               JOIN security_events e ON e.chain = p.chain AND e.seq <= p.seq) THEN
    RAISE EXCEPTION 'security_events: retention removes the oldest links of a chain, not links from its middle';
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER security_events_prefix_only AFTER DELETE ON security_events
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION security_events_prefix_only();
