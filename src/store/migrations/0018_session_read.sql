-- A bearer token's session and user: the read behind every authenticated request on every wire (REST, Backendless,
-- DDP method calls, Rocket.Chat REST). As plain SQL, PostgreSQL parsed and planned the two-table join on every
-- request: measured with pgbench (extended protocol, 10,000 sessions), 0.31 ms per call against 0.07 ms with the
-- plan kept. In PL/pgSQL the plan is kept by the connection; unnamed statements only, so this holds behind a
-- transaction pooler (PgBouncer) as well. The look-up is by a unique index, which a plan made while the table was
-- empty uses too (checked: no stale-plan trap as with the audit chain's heads, migration 0017).
CREATE FUNCTION twofold_session_by_token(p_token_hash bytea)
RETURNS TABLE (s sessions, u users) LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT x, y FROM sessions x JOIN users y ON y.id = x.user_id
   WHERE x.token_hash = p_token_hash AND x.revoked_at IS NULL;
END;
$$;
