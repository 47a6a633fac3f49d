-- Fixed-window request counters shared by every instance (security.md: rate limits in PostgreSQL,
-- not process memory). One row per key; old windows are overwritten in place.
CREATE TABLE rate_limits (
  key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  hits integer NOT NULL
);
CREATE INDEX rate_limits_window_start_idx ON rate_limits (window_start);
