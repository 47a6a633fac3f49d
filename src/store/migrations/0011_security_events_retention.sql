-- Retention of the audit log (SECURITY_EVENTS_RETENTION_DAYS; the default keeps every event). The log stays
-- append-only: never an UPDATE, and a DELETE only of events older than the cutoff that the purge declares for its
-- own transaction (`twofold.events_retention_cutoff`), so retention removes the oldest events and nothing else.
CREATE OR REPLACE FUNCTION security_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cutoff text := current_setting('twofold.events_retention_cutoff', true);
BEGIN
  IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <> '' AND OLD.created_at < cutoff::timestamptz THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'security_events is append-only';
END;
$$;
