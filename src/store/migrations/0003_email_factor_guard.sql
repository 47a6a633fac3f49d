-- Email codes as a second factor, and the "recently verified" mark the 2FA guard's remember-for grace reads.

ALTER TABLE users ADD COLUMN email_2fa_enabled_at timestamptz;

CREATE TABLE email_codes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Peppered HMAC of the 6 digits (a plain hash of 10^6 values would be no protection).
  code_hash text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX email_codes_user_id_idx ON email_codes (user_id);

-- Where and when this session last passed a second-factor check: the grace is bound to session, IP and user agent.
ALTER TABLE sessions ADD COLUMN second_factor_at timestamptz;
ALTER TABLE sessions ADD COLUMN second_factor_ip text;
ALTER TABLE sessions ADD COLUMN second_factor_user_agent text;
