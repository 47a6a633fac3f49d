-- The challenge module: one atomic write for every accepted answer and one for every wrong one
-- (security.md threats 14 and 15; docs/architecture.md).

-- A new authenticator is `pending` (confirmed explicitly) or `armed` (the Backendless seed's enable2FA: sign-in
-- asks for it at once and its first code activates it). One unconfirmed credential per user.
ALTER TABLE totp_credentials DROP CONSTRAINT totp_credentials_state_check;
ALTER TABLE totp_credentials ADD CONSTRAINT totp_credentials_state_check CHECK (state IN ('pending', 'armed', 'active'));
DROP INDEX totp_credentials_one_pending;
CREATE UNIQUE INDEX totp_credentials_one_unconfirmed ON totp_credentials (user_id) WHERE state <> 'active';

-- `register`: a new account's first authenticator, whose first code signs in; `enroll`: a signed-in user's.
-- The peppered hash of the answer that completed a transaction lets the same request, repeated after a lost
-- answer, be recognised instead of punished.
ALTER TABLE login_transactions DROP CONSTRAINT login_transactions_purpose_check;
ALTER TABLE login_transactions ADD CONSTRAINT login_transactions_purpose_check CHECK (purpose IN ('login', 'register', 'enroll'));
ALTER TABLE login_transactions ADD COLUMN answer_hash text;

-- When a session last proved its password (at sign-in, or a step-up of a user without a factor).
ALTER TABLE sessions ADD COLUMN password_at timestamptz;
UPDATE sessions SET password_at = created_at;
ALTER TABLE sessions ALTER COLUMN password_at SET NOT NULL;

-- One live email code per user; `live_since` is the start of the unbroken run of live codes it continues.
ALTER TABLE email_codes ADD COLUMN live_since timestamptz;
UPDATE email_codes SET live_since = created_at;
ALTER TABLE email_codes ALTER COLUMN live_since SET NOT NULL;
UPDATE email_codes e SET used_at = e.created_at
  WHERE e.used_at IS NULL AND EXISTS (SELECT 1 FROM email_codes n WHERE n.user_id = e.user_id AND n.used_at IS NULL AND n.created_at > e.created_at);
CREATE UNIQUE INDEX email_codes_one_live ON email_codes (user_id) WHERE used_at IS NULL;

-- Everything an accepted answer changes, in one statement: all of it or none of it. The user's row is locked
-- first by every writer (one lock order: no deadlocks), which also orders an answer against a lockout.
CREATE FUNCTION twofold_accept_proof(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := (p->>'now')::timestamptz;
  v_user uuid := (p->>'user_id')::uuid;
  v_claim jsonb := p->'claim';
  v_tx jsonb := p->'transaction';
  v_act jsonb := p->'activate';
  v_locked timestamptz;
  v_disabled timestamptz;
  v_replaced integer := 0;
BEGIN
  SELECT factor_locked_until, disabled_at INTO v_locked, v_disabled FROM users WHERE id = v_user FOR NO KEY UPDATE;
  IF NOT FOUND THEN RETURN jsonb_build_object('status', 'activation-gone'); END IF;
  IF v_disabled IS NOT NULL THEN RETURN jsonb_build_object('status', 'user-disabled'); END IF;
  IF v_locked IS NOT NULL AND v_locked > v_now THEN RETURN jsonb_build_object('status', 'locked', 'until', v_locked); END IF;
  BEGIN
    -- The transaction first: a parallel request that completed it with the same answer makes this a repeat.
    IF v_tx IS NOT NULL THEN
      UPDATE login_transactions SET attempts = attempts + 1, consumed_at = v_now, answer_hash = v_tx->>'answer_hash'
       WHERE id_hash = decode(v_tx->>'id_hash', 'hex') AND user_id = v_user AND consumed_at IS NULL AND burned_at IS NULL
         AND expires_at > v_now AND attempts < (v_tx->>'max_attempts')::integer;
      IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'TF001', MESSAGE = 'transaction-gone'; END IF;
    END IF;
    CASE v_claim->>'kind'
      WHEN 'totp-step' THEN
        UPDATE totp_credentials SET last_used_step = (v_claim->>'step')::bigint
         WHERE id = (v_claim->>'credential_id')::uuid AND user_id = v_user
           AND (last_used_step IS NULL OR last_used_step < (v_claim->>'step')::bigint);
        IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'TF001', MESSAGE = 'claim-taken'; END IF;
      WHEN 'backup-code' THEN
        UPDATE backup_codes SET used_at = v_now WHERE id = (v_claim->>'id')::uuid AND user_id = v_user AND used_at IS NULL;
        IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'TF001', MESSAGE = 'claim-taken'; END IF;
      WHEN 'email-code' THEN
        UPDATE email_codes SET used_at = v_now, attempts = attempts + 1
         WHERE id = (v_claim->>'id')::uuid AND user_id = v_user AND used_at IS NULL AND expires_at > v_now
           AND attempts < (v_claim->>'max_attempts')::integer;
        IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'TF001', MESSAGE = 'claim-taken'; END IF;
      WHEN 'webauthn' THEN
        UPDATE webauthn_challenges SET used_at = v_now
         WHERE challenge_hash = decode(v_claim->>'challenge_hash', 'hex') AND user_id = v_user AND purpose = v_claim->>'purpose'
           AND bound_hash IS NOT DISTINCT FROM decode(v_claim->>'bound_to', 'hex') AND used_at IS NULL AND expires_at > v_now;
        IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'TF001', MESSAGE = 'claim-taken'; END IF;
        -- The counter must grow (or stay 0 for keys that keep none): a cloned key cannot pass.
        UPDATE webauthn_credentials SET counter = (v_claim->>'new_counter')::bigint, backed_up = (v_claim->>'backed_up')::boolean, last_used_at = v_now
         WHERE id = (v_claim->>'key_id')::uuid AND user_id = v_user AND counter = (v_claim->>'previous_counter')::bigint
           AND ((v_claim->>'new_counter')::bigint > counter OR ((v_claim->>'new_counter')::bigint = 0 AND counter = 0));
        IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'TF001', MESSAGE = 'claim-taken'; END IF;
      ELSE NULL;
    END CASE;
    IF v_act IS NOT NULL THEN
      PERFORM 1 FROM totp_credentials WHERE id = (v_act->>'credential_id')::uuid AND user_id = v_user AND state <> 'active';
      IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'TF001', MESSAGE = 'activation-gone'; END IF;
      DELETE FROM totp_credentials WHERE user_id = v_user AND state = 'active';
      GET DIAGNOSTICS v_replaced = ROW_COUNT;
      UPDATE totp_credentials SET state = 'active', activated_at = v_now WHERE id = (v_act->>'credential_id')::uuid;
      DELETE FROM backup_codes WHERE user_id = v_user;
      INSERT INTO backup_codes (id, user_id, code_hash, created_at)
        SELECT gen_random_uuid(), v_user, h, v_now FROM jsonb_array_elements_text(v_act->'backup_code_hashes') AS h;
    END IF;
    IF (p->>'reset_throttle')::boolean THEN
      UPDATE users SET factor_failures = 0, factor_locked_until = NULL, factor_lockouts = 0
       WHERE id = v_user AND (factor_failures <> 0 OR factor_locked_until IS NOT NULL OR factor_lockouts <> 0);
    END IF;
    IF p ? 'session' THEN
      INSERT INTO sessions (id, user_id, token_hash, client, ip, user_agent, created_at, last_seen_at, expires_at,
                            second_factor_at, second_factor_ip, second_factor_user_agent, password_at)
      SELECT s.id, v_user, decode(s.token_hash, 'hex'), s.client, s.ip, s.user_agent, s.created_at, s.created_at, s.expires_at,
             s.second_factor_at, CASE WHEN s.second_factor_at IS NOT NULL THEN s.ip END,
             CASE WHEN s.second_factor_at IS NOT NULL THEN s.user_agent END, s.created_at
        FROM jsonb_to_record(p->'session') AS s(id uuid, token_hash text, client text, ip text, user_agent text,
                                                created_at timestamptz, expires_at timestamptz, second_factor_at timestamptz);
    END IF;
    IF p ? 'mark_session' THEN
      IF p->'mark_session'->>'proved' = 'factor' THEN
        UPDATE sessions SET second_factor_at = v_now, second_factor_ip = p->'mark_session'->>'ip', second_factor_user_agent = p->'mark_session'->>'user_agent'
         WHERE id = (p->'mark_session'->>'id')::uuid AND user_id = v_user;
      ELSE
        UPDATE sessions SET password_at = v_now WHERE id = (p->'mark_session'->>'id')::uuid AND user_id = v_user;
      END IF;
    END IF;
    IF p ? 'device' THEN
      INSERT INTO trusted_devices (id, user_id, token_hash, label, created_at, expires_at)
      SELECT d.id, v_user, decode(d.token_hash, 'hex'), d.label, d.created_at, d.expires_at
        FROM jsonb_to_record(p->'device') AS d(id uuid, token_hash text, label text, created_at timestamptz, expires_at timestamptz);
    END IF;
    INSERT INTO security_events (id, user_id, kind, client, ip, user_agent, details, created_at)
    SELECT e.id, e.user_id, e.kind, e.client, e.ip, e.user_agent, coalesce(e.details, '{}'::jsonb), e.created_at
      FROM jsonb_to_recordset(p->'events') AS e(id uuid, user_id uuid, kind text, client text, ip text, user_agent text, details jsonb, created_at timestamptz);
  EXCEPTION WHEN SQLSTATE 'TF001' THEN
    -- Undoes everything above (the block's savepoint) and says what was no longer there. Any other error
    -- propagates and undoes the whole statement.
    RETURN jsonb_build_object('status', SQLERRM);
  END;
  RETURN jsonb_build_object('status', 'accepted', 'replaced', v_replaced > 0);
END;
$$;

-- A wrong (or replayed) answer, in one statement: an attempt of its transaction and of its email code, a
-- failure toward the lockout unless it is a replay, and its events. An answer whose transaction had no attempt
-- left (used up meanwhile by a parallel burst) was never a permitted guess: nothing is counted. An answer to an
-- email code with no tries left still counts toward the lockout (someone keeps guessing at the account). The
-- failure that begins a lock burns the account's pending sign-ins with it (threat 7).
CREATE FUNCTION twofold_reject_proof(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := (p->>'now')::timestamptz;
  v_user uuid := (p->>'user_id')::uuid;
  v_tx jsonb := p->'transaction';
  v_code jsonb := p->'email_code';
  v_failures integer;
  v_until timestamptz;
  v_began timestamptz;
  v_held timestamptz;
  v_attempts integer;
  v_exhausted boolean := false;
BEGIN
  -- The same lock order as an accepted answer (the user's row, then the rest): no deadlocks between them.
  SELECT factor_locked_until INTO v_held FROM users WHERE id = v_user FOR NO KEY UPDATE;
  IF v_held IS NOT NULL AND v_held > v_now THEN
    RETURN jsonb_build_object('locked_until', v_held);
  END IF;
  IF v_tx IS NOT NULL THEN
    UPDATE login_transactions SET attempts = attempts + 1
     WHERE id_hash = decode(v_tx->>'id_hash', 'hex') AND consumed_at IS NULL AND burned_at IS NULL AND expires_at > v_now
       AND attempts < (v_tx->>'max_attempts')::integer
     RETURNING attempts INTO v_attempts;
    IF NOT FOUND THEN RETURN jsonb_build_object('transaction_gone', true); END IF;
  END IF;
  IF v_code IS NOT NULL THEN
    UPDATE email_codes SET attempts = attempts + 1
     WHERE id = (v_code->>'id')::uuid AND used_at IS NULL AND attempts < (v_code->>'max_attempts')::integer;
    v_exhausted := NOT FOUND;
  END IF;
  IF (p->>'count')::boolean THEN
    UPDATE users SET
      factor_failures = factor_failures + 1,
      factor_locked_until = CASE
        WHEN factor_failures + 1 >= (p->>'max_failures')::integer THEN '9999-12-31T00:00:00Z'::timestamptz
        WHEN (factor_failures + 1) % (p->>'per_lockout')::integer = 0
          THEN v_now + make_interval(secs => (p->>'base_lock_seconds')::integer * power(2, least(factor_lockouts, 20)))
        ELSE factor_locked_until END,
      factor_lockouts = CASE WHEN (factor_failures + 1) % (p->>'per_lockout')::integer = 0 THEN factor_lockouts + 1 ELSE factor_lockouts END
    WHERE id = v_user
    RETURNING factor_failures, factor_locked_until INTO v_failures, v_until;
    IF v_until IS NOT NULL AND v_until > v_now THEN
      v_began := v_until;
      UPDATE login_transactions SET burned_at = v_now
       WHERE user_id = v_user AND consumed_at IS NULL AND burned_at IS NULL AND expires_at > v_now;
    END IF;
  END IF;
  INSERT INTO security_events (id, user_id, kind, client, ip, user_agent, details, created_at)
  SELECT e.id, e.user_id, e.kind, e.client, e.ip, e.user_agent, coalesce(e.details, '{}'::jsonb), e.created_at
    FROM jsonb_to_recordset(p->'events') AS e(id uuid, user_id uuid, kind text, client text, ip text, user_agent text, details jsonb, created_at timestamptz);
  RETURN jsonb_build_object('attempts', v_attempts, 'lock_began', v_began, 'code_exhausted', v_exhausted);
END;
$$;
