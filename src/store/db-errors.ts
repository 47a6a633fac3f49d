import { TwofoldError } from '../core/errors.ts';

/** SQLSTATE classes and socket errors that mean "the database is not there right now", not "your query is wrong". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300']);
/**
 * The database is there but did not finish in time: 57014 is `statement_timeout` (or a cancel request),
 * 55P03 a `lock_timeout`. The statement was rolled back; the same request may be sent again.
 */
const TIMEOUT_CODES = new Set(['57014', '55P03']);
/** node-postgres' pool gave up waiting for one of its connections to come free (all were busy). */
const POOL_WAIT_TIMEOUT = /timeout exceeded when trying to connect/i;
/** A pooler refusing a startup parameter is a configuration problem, not an outage (PgBouncer: 08P01). */
const REFUSED_STARTUP_PARAMETER = /unsupported startup parameter: (\S+)/i;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = codeOf(error);
  if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message);
}

/**
 * Re-throws a driver error as the typed 503 the façades know: `server_busy` (no pooled connection came
 * free in time), `database_timeout` (a statement or lock wait ran out of time) or `database_unavailable`
 * (the database cannot be reached). Anything else is a bug and goes on as it is.
 */
export function translateDbError(error: unknown): never {
  if (error instanceof TwofoldError) throw error;
  if (error instanceof Error) {
    const refused = REFUSED_STARTUP_PARAMETER.exec(error.message);
    if (refused) {
      throw new Error(
        `the database (or a pooler in front of it) refuses the startup parameter ${refused[1]}: with PgBouncer, add it to ` +
          '`ignore_startup_parameters` and set the statement timeout on the role (docs/operations.md)',
        { cause: error },
      );
    }
    if (POOL_WAIT_TIMEOUT.test(error.message)) throw new TwofoldError('server_busy');
    if (TIMEOUT_CODES.has(codeOf(error) ?? '')) throw new TwofoldError('database_timeout');
  }
  if (isUnavailable(error)) throw new TwofoldError('database_unavailable');
  throw error;
}

export function isUniqueViolation(error: unknown): error is Error & { constraint?: string } {
  return error instanceof Error && codeOf(error) === '23505';
}
