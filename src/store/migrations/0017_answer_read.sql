-- The 2FA step's read (issue 17, docs/scaling.md): planned once per connection instead of once per request, and
-- never a scan that grows with the number of users.

-- Every user's credentials by user id, whatever their state. The two partial unique indexes (one active, one
-- unconfirmed per user) cannot serve `WHERE user_id = $1` alone, so reading a user's credentials scanned the whole
-- table: about 0.25 ms of PostgreSQL's CPU per 1,000 enrolled users, on every sign-in and every 2FA step.
-- (A plain CREATE INDEX holds writes to totp_credentials back while it builds: seconds even at millions of rows.)
CREATE INDEX IF NOT EXISTS totp_credentials_user_id_idx ON totp_credentials (user_id);

-- PL/pgSQL keeps each statement's plan for the life of the connection, and a plan made while a table was small
-- scans it sequentially and goes on doing so as it grows, until an ANALYZE of that table replans it. The chain
-- trigger's look-ups of `audit_chain_heads` (one row per user, four look-ups per 2FA step) are the costly case:
-- measured, a server whose connections opened on a fresh database spent 1–2.7 ms more of PostgreSQL's CPU per step
-- than one that connected later (the heads scanned row by row). Planned with sequential scans off, the trigger takes
-- the primary key from its first call, whatever the table's size then. (Set on this function only: the setting is
-- saved and restored around every call, about 0.1 ms of CPU each, measured.)
ALTER FUNCTION security_events_chain() SET enable_seqscan = off;

-- A user, its throttle and everything its second factor is checked against (store/challenge-store.ts):
-- the credentials, the live email code and the passkey count. In PL/pgSQL so that its plan is kept by the
-- connection (a join with three sub-selects cost more to plan than to run); the SQL that calls it plans in
-- microseconds. Unnamed statements only, so this holds behind a transaction pooler (PgBouncer) as well.
CREATE FUNCTION twofold_factor_state(p_user uuid, p_now timestamptz)
RETURNS TABLE (u users, f_totp json, f_email json, f_keys integer) LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT x,
    (SELECT json_agg(json_build_object('id', c.id, 'state', c.state, 'secret_sealed', c.secret_sealed, 'algorithm', c.algorithm,
       'digits', c.digits, 'period_seconds', c.period_seconds, 'last_used_step', c.last_used_step, 'created_at', c.created_at,
       'activated_at', c.activated_at)) FROM totp_credentials c WHERE c.user_id = x.id),
    (SELECT json_build_object('id', e.id, 'code_hash', e.code_hash, 'attempts', e.attempts, 'created_at', e.created_at,
       'live_since', e.live_since, 'expires_at', e.expires_at)
       FROM email_codes e WHERE e.user_id = x.id AND e.used_at IS NULL AND e.expires_at > p_now LIMIT 1),
    (SELECT count(*)::int FROM webauthn_credentials w WHERE w.user_id = x.id)
  FROM users x WHERE x.id = p_user;
END;
$$;

-- The 2FA step's one read: the pending login transaction by its id's hash, with its user's factor state.
CREATE FUNCTION twofold_transaction_state(p_id_hash bytea, p_now timestamptz)
RETURNS TABLE (t login_transactions, u users, f_totp json, f_email json, f_keys integer) LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT x, f.u, f.f_totp, f.f_email, f.f_keys
    FROM login_transactions x CROSS JOIN LATERAL twofold_factor_state(x.user_id, p_now) f
   WHERE x.id_hash = p_id_hash;
END;
$$;
