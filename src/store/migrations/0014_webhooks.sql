-- Signed webhooks (issue 19): endpoints an operator registers for kinds of security events, and an outbox of
-- deliveries. A delivery is written by a trigger in the same statement as its event (security_events), so an
-- event that happened is never lost to a crash before it was handed to a sender; instances claim due deliveries
-- with FOR UPDATE SKIP LOCKED, so no two send the same one at once.

CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  url text NOT NULL,
  -- sign-in, failure, lockout, factor-change, reset, session-revoke (core/admin/webhooks.ts)
  kinds text[] NOT NULL,
  -- The HMAC key, sealed with the key ring (it must be used, so it cannot be only a hash).
  secret_sealed text NOT NULL,
  created_at timestamptz NOT NULL,
  removed_at timestamptz,
  last_attempt_at timestamptz,
  last_status integer,
  last_error text,
  last_success_at timestamptz
);

CREATE TABLE webhook_deliveries (
  -- Also the idempotency id a receiver sees (twofold-webhook-id): the same on every retry.
  id uuid PRIMARY KEY,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id uuid NOT NULL,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  claimed_until timestamptz,
  delivered_at timestamptz,
  given_up_at timestamptz,
  last_status integer,
  last_error text
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND given_up_at IS NULL;
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC);

CREATE FUNCTION twofold_webhook_kind(event_kind text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE event_kind
    WHEN 'login_succeeded' THEN 'sign-in'
    WHEN 'login_failed' THEN 'failure'
    WHEN 'challenge_failed' THEN 'failure'
    WHEN 'account_locked' THEN 'lockout'
    WHEN 'factor_enabled' THEN 'factor-change'
    WHEN 'factor_disabled' THEN 'factor-change'
    WHEN 'backup_codes_regenerated' THEN 'factor-change'
    WHEN 'factors_reset' THEN 'reset'
    WHEN 'password_reset' THEN 'reset'
    WHEN 'sessions_revoked' THEN 'session-revoke'
  END
$$;

-- One delivery per live endpoint that asked for the event's kind, in the event's own statement.
CREATE FUNCTION twofold_webhook_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_kind text := twofold_webhook_kind(NEW.kind);
BEGIN
  IF v_kind IS NULL THEN RETURN NULL; END IF;
  INSERT INTO webhook_deliveries (id, endpoint_id, event_id, kind, payload, created_at, next_attempt_at)
  SELECT d.id, w.id, NEW.id, v_kind,
         jsonb_build_object('id', d.id, 'type', v_kind, 'event', NEW.kind, 'eventId', NEW.id, 'userId', NEW.user_id,
                            'at', NEW.created_at, 'client', NEW.client, 'ip', NEW.ip, 'details', NEW.details),
         NEW.created_at, NEW.created_at
    FROM webhook_endpoints w CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id) d
   WHERE w.removed_at IS NULL AND v_kind = ANY (w.kinds);
  RETURN NULL;
END;
$$;
CREATE TRIGGER security_events_webhooks AFTER INSERT ON security_events FOR EACH ROW EXECUTE FUNCTION twofold_webhook_enqueue();
