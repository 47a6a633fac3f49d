-- Account-level throttle across all second factors (security.md; NIST SP 800-63B 5.2.2, RFC 4226 7.3):
-- consecutive failures, the current lock, and how many locks in a row (each doubles the next).
ALTER TABLE users ADD COLUMN factor_failures integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN factor_locked_until timestamptz;
ALTER TABLE users ADD COLUMN factor_lockouts integer NOT NULL DEFAULT 0;
