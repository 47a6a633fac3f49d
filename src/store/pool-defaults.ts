/**
 * PostgreSQL pool defaults, apart from the driver: the configuration reads them on every start, and importing the
 * driver (node-postgres) for two numbers would load it for the embedded database too, which never uses it.
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 3_000;
export const DEFAULT_POOL_WAIT_MS = 2_000;
