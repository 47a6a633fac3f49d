-- TOTP credentials, backup codes, login transactions and QR image links.
-- TOTP keys are sealed with the key ring (AES-256-GCM); codes, transaction ids and QR ids are stored as hashes.

CREATE TABLE totp_credentials (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  state text NOT NULL CHECK (state IN ('pending', 'active')),
  secret_sealed text NOT NULL,
  algorithm text NOT NULL CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
  digits integer NOT NULL CHECK (digits BETWEEN 6 AND 8),
  period_seconds integer NOT NULL CHECK (period_seconds BETWEEN 10 AND 300),
  -- Highest time step ever accepted: a code is good once (RFC 6238 5.2), compare-and-set on every use.
  last_used_step integer,
  created_at timestamptz NOT NULL,
  activated_at timestamptz
);
CREATE UNIQUE INDEX totp_credentials_one_active ON totp_credentials (user_id) WHERE state = 'active';
CREATE UNIQUE INDEX totp_credentials_one_pending ON totp_credentials (user_id) WHERE state = 'pending';

CREATE TABLE backup_codes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX backup_codes_user_id_idx ON backup_codes (user_id);

CREATE TABLE login_transactions (
  id_hash bytea PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('login', 'enroll')),
  credential_id uuid REFERENCES totp_credentials (id) ON DELETE CASCADE,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz,
  burned_at timestamptz
);
CREATE INDEX login_transactions_user_id_idx ON login_transactions (user_id);

CREATE TABLE qr_links (
  id_hash bytea PRIMARY KEY,
  credential_id uuid NOT NULL REFERENCES totp_credentials (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);

CREATE TABLE settings (
  key text PRIMARY KEY,
  value text NOT NULL
);
