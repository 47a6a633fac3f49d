-- A password sign-in's one read (issue 17, goal 3): the user by their login identity together with everything the
-- sign-in decides on after the password (store/challenge-store.ts `factorsByLogin`). It took two round trips, the
-- user by e-mail or username and then `twofold_factor_state`; a sign-in is now this read, the argon2 check, and one
-- write. PL/pgSQL, so the plan is kept by the connection (unnamed statements only: it works behind PgBouncer).
-- Each look-up is by a unique index (`email_normalized`, `lower(username)`), which a plan made on an empty table
-- takes as well.
CREATE FUNCTION twofold_sign_in_state(p_email text, p_username text, p_now timestamptz)
RETURNS TABLE (u users, f_totp json, f_email json, f_keys integer) LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_id uuid;
BEGIN
  IF p_email IS NOT NULL THEN
    SELECT id INTO v_id FROM users WHERE email_normalized = p_email;
  ELSE
    SELECT id INTO v_id FROM users WHERE lower(username) = lower(p_username);
  END IF;
  IF v_id IS NOT NULL THEN
    RETURN QUERY SELECT * FROM twofold_factor_state(v_id, p_now);
  END IF;
END;
$$;
