-- Append-only audit log of security events. No foreign key: the trail outlives the account it speaks of.
CREATE TABLE security_events (
  id uuid PRIMARY KEY,
  user_id uuid,
  kind text NOT NULL,
  client text,
  ip text,
  user_agent text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL
);
CREATE INDEX security_events_user_time_idx ON security_events (user_id, created_at DESC);
CREATE INDEX security_events_time_idx ON security_events (created_at DESC);

-- Append-only means it: rows cannot be changed or removed through SQL either.
CREATE FUNCTION security_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'security_events is append-only';
END;
$$;
CREATE TRIGGER security_events_no_update BEFORE UPDATE OR DELETE ON security_events
  FOR EACH ROW EXECUTE FUNCTION security_events_append_only();
