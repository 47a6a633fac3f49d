-- A user's passkeys have distinct names, letter case aside (core/factors/webauthn/registration.ts `freeKeyName`):
-- two rows that read alike ("Work laptop", "work laptop") and one gets removed for the other. The check ran
-- before the write, so two registrations (or a rename and a registration) at the same moment could both pass it.
-- A unique index makes the database the judge: the losing write is `webauthn_name_taken`, as the check would
-- have said. It leads with user_id, so it also serves every per-user look-up, and the plain user_id index goes.

-- Names that already collide (possible before this index) get a number, oldest key first keeping its name.
DO $$
DECLARE
  r record;
  n integer;
  candidate text;
BEGIN
  FOR r IN
    SELECT id, user_id, name FROM (
      SELECT id, user_id, name, row_number() OVER (PARTITION BY user_id, lower(name) ORDER BY created_at, id) AS place
        FROM webauthn_credentials) ranked
     WHERE place > 1
  LOOP
    n := 2;
    LOOP
      candidate := left(r.name, 56) || ' (' || n || ')';
      EXIT WHEN NOT EXISTS (SELECT 1 FROM webauthn_credentials WHERE user_id = r.user_id AND lower(name) = lower(candidate));
      n := n + 1;
    END LOOP;
    UPDATE webauthn_credentials SET name = candidate WHERE id = r.id;
  END LOOP;
END $$;

CREATE UNIQUE INDEX webauthn_credentials_user_name_key ON webauthn_credentials (user_id, lower(name));
DROP INDEX IF EXISTS webauthn_credentials_user_idx;
