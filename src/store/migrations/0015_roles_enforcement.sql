-- Roles (a small set of named labels per user, set by an operator) and enforcement of a second factor with a
-- grace period. The policy lives in `settings` under 'enforcement_policy' as JSON
-- {"everyone": bool, "roles": [..], "graceSeconds": n, "setAt": iso}. What it means for each user is kept on the
-- user row, so that every request (any instance) sees a change at once by the row it already reads with the session:
--   enforcement_started_at: when the policy first applied to the user. Kept when it stops applying (a role taken
--                           away), so that giving the role back, or signing in again, does not start a new grace;
--                           cleared only when the policy is turned off.
--   setup_due_at:           while the policy applies: enforcement_started_at + the grace; else null.
ALTER TABLE users ADD COLUMN roles text[] NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN enforcement_started_at timestamptz;
ALTER TABLE users ADD COLUMN setup_due_at timestamptz;

-- Whether `policy` (null: none) covers a user with `roles`.
CREATE FUNCTION twofold_enforced(policy jsonb, roles text[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT COALESCE((policy->>'everyone')::boolean OR roles && ARRAY(SELECT jsonb_array_elements_text(policy->'roles')), false)
$$;

-- A user's setup deadline under `policy`, the policy having first applied at `started` (null: from `now`).
CREATE FUNCTION twofold_setup_due(policy jsonb, roles text[], started timestamptz, now timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN twofold_enforced(policy, roles)
    THEN COALESCE(started, now) + make_interval(secs => (policy->>'graceSeconds')::double precision) END
$$;

-- A new account is covered from its creation when the policy covers everyone (its roles are empty at first).
CREATE FUNCTION users_enforcement_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  policy jsonb := (SELECT value::jsonb FROM settings WHERE key = 'enforcement_policy');
BEGIN
  IF twofold_enforced(policy, NEW.roles) THEN
    NEW.enforcement_started_at := NEW.created_at;
    NEW.setup_due_at := twofold_setup_due(policy, NEW.roles, NULL, NEW.created_at);
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER users_enforcement_on_insert BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_enforcement_on_insert();

-- Operators look up who is covered and who is overdue.
CREATE INDEX users_setup_due_at_idx ON users (setup_due_at) WHERE setup_due_at IS NOT NULL;
