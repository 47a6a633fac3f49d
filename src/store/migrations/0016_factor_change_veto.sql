-- A veto window on factor changes (issue 19, FACTOR_CHANGE_VETO_SECONDS). With the window on, a factor added,
-- replaced or removed for a user who already has one waits here until `apply_at`; the owner is mailed at once with a
-- single-use "this wasn't me" link (its token only as a SHA-256 here). A user's first factor applies at once but is
-- recorded too (status 'applied'), so its link works as well. Instances apply due rows with FOR UPDATE SKIP LOCKED:
-- each change is applied by one of them, once.
CREATE TABLE factor_changes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('totp-enable', 'totp-replace', 'totp-disable', 'email-enable', 'email-disable', 'passkey-add', 'passkey-remove')),
  -- What the change touches ('totp', 'email', 'passkey:<key id>', 'passkey-add:<id>'): one pending change per target.
  target text NOT NULL,
  -- What applying it needs: a new authenticator's key-ring ciphertext (bound to its credential id, as in
  -- totp_credentials) and backup-code hashes; a new key's public key; a key's id. Never a plain secret.
  payload jsonb NOT NULL DEFAULT '{}',
  -- The session that asked: it stays signed in when the change ends the user's other sessions.
  session_id uuid,
  requested_at timestamptz NOT NULL,
  apply_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'applied', 'vetoed', 'failed')),
  settled_at timestamptz,
  veto_token_hash bytea NOT NULL,
  veto_until timestamptz NOT NULL,
  veto_used_at timestamptz
);
CREATE UNIQUE INDEX factor_changes_veto_token_key ON factor_changes (veto_token_hash);
CREATE UNIQUE INDEX factor_changes_pending_target_key ON factor_changes (user_id, target) WHERE status = 'pending';
CREATE INDEX factor_changes_due_idx ON factor_changes (apply_at) WHERE status = 'pending';
CREATE INDEX factor_changes_user_idx ON factor_changes (user_id, requested_at DESC);

-- Set by the owner's veto: sign-in is refused (account_locked_by_owner) until an operator unlocks the account.
ALTER TABLE users ADD COLUMN locked_by_owner_at timestamptz;

-- Migration 0014's mapping of security events to webhook kinds, with the veto window's events.
CREATE OR REPLACE FUNCTION twofold_webhook_kind(event_kind text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE event_kind
    WHEN 'login_succeeded' THEN 'sign-in'
    WHEN 'login_failed' THEN 'failure'
    WHEN 'challenge_failed' THEN 'failure'
    WHEN 'account_locked' THEN 'lockout'
    WHEN 'account_locked_by_owner' THEN 'lockout'
    WHEN 'factor_enabled' THEN 'factor-change'
    WHEN 'factor_disabled' THEN 'factor-change'
    WHEN 'backup_codes_regenerated' THEN 'factor-change'
    WHEN 'factor_change_requested' THEN 'factor-change'
    WHEN 'factor_change_applied' THEN 'factor-change'
    WHEN 'factor_change_vetoed' THEN 'factor-change'
    WHEN 'factors_reset' THEN 'reset'
    WHEN 'password_reset' THEN 'reset'
    WHEN 'sessions_revoked' THEN 'session-revoke'
  END
$$;
