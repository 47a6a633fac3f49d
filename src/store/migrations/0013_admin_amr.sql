-- Administration (issue 19): what each session proved (RFC 8176 `amr`), and the operator's API tokens.

-- What a session proved, at sign-in and in its step-ups since: RFC 8176 values (core/sessions/amr.ts). Sessions
-- from before this migration are known only to have answered a factor or not.
ALTER TABLE sessions ADD COLUMN amr text[] NOT NULL DEFAULT '{pwd}';
UPDATE sessions SET amr = '{pwd,mfa}' WHERE second_factor_at IS NOT NULL;

-- Admin API tokens (`twofold admin token create`): known only by their SHA-256, limited to their scopes.
CREATE TABLE admin_tokens (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  token_hash bytea NOT NULL,
  scopes text[] NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE UNIQUE INDEX admin_tokens_token_hash_key ON admin_tokens (token_hash);

-- The accepted-answer write of migration 0008, now also writing the session's `amr` (a new session's, or the
-- values a step-up adds, merged with the session's own as a set; the core orders them when it reads them).
CREATE OR REPLACE FUNCTION twofold_accept_proof(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
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
                            second_factor_at, second_factor_ip, second_factor_user_agent, password_at, amr)
      SELECT s.id, v_user, decode(s.token_hash, 'hex'), s.client, s.ip, s.user_agent, s.created_at, s.created_at, s.expires_at,
             s.second_factor_at, CASE WHEN s.second_factor_at IS NOT NULL THEN s.ip END,
             CASE WHEN s.second_factor_at IS NOT NULL THEN s.user_agent END, s.created_at, coalesce(s.amr, '{pwd}')
        FROM jsonb_to_record(p->'session') AS s(id uuid, token_hash text, client text, ip text, user_agent text,
                                                created_at timestamptz, expires_at timestamptz, second_factor_at timestamptz, amr text[]);
    END IF;
    IF p ? 'mark_session' THEN
      IF p->'mark_session'->>'proved' = 'factor' THEN
        UPDATE sessions SET second_factor_at = v_now, second_factor_ip = p->'mark_session'->>'ip', second_factor_user_agent = p->'mark_session'->>'user_agent',
               amr = ARRAY(SELECT DISTINCT v FROM unnest(amr || ARRAY(SELECT jsonb_array_elements_text(p->'mark_session'->'amr'))) AS v)
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
