-- The app's own properties of its users (Backendless' dynamic Users columns: name, phone, ...) and password
-- reset links.

CREATE TABLE user_profiles (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  properties jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL
);

-- Every property name users have, typed by the first value seen: what describeUserClass lists. Capped by the
-- store (profileLimits.maxColumns), so that accounts making up names cannot grow it without end.
CREATE TABLE user_profile_columns (
  name text PRIMARY KEY,
  type text NOT NULL,
  first_seen_at timestamptz NOT NULL
);

-- Reset links: only the SHA-256 of the token is kept. A link is good once, until it expires, and only while
-- the account still has the address it was sent to.
CREATE TABLE password_resets (
  token_hash bytea PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email_normalized text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX password_resets_user_id_idx ON password_resets (user_id);
CREATE INDEX password_resets_expires_at_idx ON password_resets (expires_at);
