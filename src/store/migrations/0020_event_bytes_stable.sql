-- The bytes an audit event's hash covers (migration 0010) are put together by a SQL function that PostgreSQL can
-- now inline. Declared IMMUTABLE, its body calls STABLE functions (`concat_ws`, `to_char`, `convert_to`), and the
-- planner inlines an IMMUTABLE function only when everything in it is immutable too: so it was run as a separate
-- SQL function on every event, its body parsed, analysed and planned each time (a CPU profile of PostgreSQL under
-- the 2FA step: 6.5 % of its time in that function, three quarters of it parsing and planning). STABLE is what the
-- body is (nothing in it reads a table; the format pins every field), and a STABLE SQL function is inlined into the
-- chain trigger's expression and into `audit verify`'s query. Measured with pgbench (two events per transaction,
-- 3 alternations): 11,300 → 14,500 transactions/s. The bytes, and so every hash, are unchanged.
ALTER FUNCTION twofold_event_bytes(uuid, uuid, text, text, text, text, jsonb, timestamptz, text, bigint) STABLE;
