/**
 * The one storage interface. Two drivers implement it (node-postgres for a server, PGlite embedded);
 * both speak the same SQL with `$n` parameters.
 */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly driver: 'pg' | 'pglite';
  /**
   * Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. The only unit of
   * work that may carry state across statements: behind a transaction pooler (PgBouncer) consecutive
   * statements outside a transaction may run on different server connections.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Pool use, where there is a pool (node-postgres). */
  stats?(): { total: number; idle: number; waiting: number };
}
