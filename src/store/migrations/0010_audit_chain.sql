-- A tamper-evident audit log (docs/security.md, "The audit chain"). Every security event is a link of a hash
-- chain: one chain per user (and one, 'global', for events about no user), each event storing its place (`seq`),
-- the hash of the one before it and its own hash = SHA-256(its canonical bytes ‖ the previous hash). The last link
-- of every chain is kept in `audit_chain_heads`: editing, deleting or reordering events breaks a link, and cutting
-- the tail off disagrees with the head. A digest of all heads, signed, can be published outside (`twofold audit head`).

-- What an event's hash covers, in one fixed byte form: every column but the hash fields themselves.
CREATE FUNCTION twofold_event_bytes(e_id uuid, e_user uuid, e_kind text, e_client text, e_ip text, e_agent text,
                                    e_details jsonb, e_at timestamptz, e_chain text, e_seq bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
  SELECT convert_to(concat_ws(chr(31), e_id::text, coalesce(e_user::text, ''), e_kind, coalesce(e_client, ''), coalesce(e_ip, ''),
                              coalesce(e_agent, ''), e_details::text, to_char(e_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
                              e_chain, e_seq::text), 'UTF8')
$$;

ALTER TABLE security_events ADD COLUMN chain text;
ALTER TABLE security_events ADD COLUMN seq bigint;
ALTER TABLE security_events ADD COLUMN prev_hash bytea;
ALTER TABLE security_events ADD COLUMN hash bytea;

CREATE TABLE audit_chain_heads (
  chain text PRIMARY KEY,
  seq bigint NOT NULL,
  hash bytea
);

-- Chain the events already there, oldest first (the append-only trigger is set aside for this one migration).
ALTER TABLE security_events DISABLE TRIGGER security_events_no_update;
DO $$
DECLARE
  r record;
  v_prev bytea;
  v_seq bigint;
  v_chain text := NULL;
BEGIN
  FOR r IN SELECT * FROM security_events ORDER BY coalesce(user_id::text, 'global'), created_at, id LOOP
    IF v_chain IS DISTINCT FROM coalesce(r.user_id::text, 'global') THEN
      IF v_chain IS NOT NULL THEN INSERT INTO audit_chain_heads VALUES (v_chain, v_seq, v_prev); END IF;
      v_chain := coalesce(r.user_id::text, 'global');
      v_prev := NULL;
      v_seq := 0;
    END IF;
    v_seq := v_seq + 1;
    UPDATE security_events SET chain = v_chain, seq = v_seq, prev_hash = v_prev,
      hash = sha256(twofold_event_bytes(r.id, r.user_id, r.kind, r.client, r.ip, r.user_agent, r.details, r.created_at, v_chain, v_seq)
                    || coalesce(v_prev, ''::bytea))
      WHERE id = r.id RETURNING hash INTO v_prev;
  END LOOP;
  IF v_chain IS NOT NULL THEN INSERT INTO audit_chain_heads VALUES (v_chain, v_seq, v_prev); END IF;
END $$;
ALTER TABLE security_events ENABLE TRIGGER security_events_no_update;

ALTER TABLE security_events ALTER COLUMN chain SET NOT NULL;
ALTER TABLE security_events ALTER COLUMN seq SET NOT NULL;
ALTER TABLE security_events ALTER COLUMN hash SET NOT NULL;
CREATE UNIQUE INDEX security_events_chain_seq_key ON security_events (chain, seq);

-- Every insert, whoever makes it (the audit store, the atomic answer writes), becomes the next link of its chain.
-- The head row is updated first: its row lock orders concurrent writers of one chain (no forks, nothing lost).
CREATE FUNCTION security_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_chain text := coalesce(NEW.user_id::text, 'global');
  v_seq bigint;
  v_prev bytea;
BEGIN
  UPDATE audit_chain_heads SET seq = seq + 1 WHERE chain = v_chain RETURNING seq, hash INTO v_seq, v_prev;
  IF NOT FOUND THEN
    INSERT INTO audit_chain_heads (chain, seq, hash) VALUES (v_chain, 1, NULL)
    ON CONFLICT (chain) DO UPDATE SET seq = audit_chain_heads.seq + 1
    RETURNING seq, hash INTO v_seq, v_prev;
  END IF;
  NEW.chain := v_chain;
  NEW.seq := v_seq;
  NEW.prev_hash := v_prev;
  NEW.hash := sha256(twofold_event_bytes(NEW.id, NEW.user_id, NEW.kind, NEW.client, NEW.ip, NEW.user_agent, NEW.details, NEW.created_at, v_chain, v_seq)
                     || coalesce(v_prev, ''::bytea));
  UPDATE audit_chain_heads SET hash = NEW.hash WHERE chain = v_chain;
  RETURN NEW;
END;
$$;
CREATE TRIGGER security_events_chain BEFORE INSERT ON security_events FOR EACH ROW EXECUTE FUNCTION security_events_chain();
