import { TwofoldError } from '../core/errors.ts';

/** SQLSTATE classes and socket errors that mean "the database is not there right now", not "your query is wrong". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300']);

export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    error.message,
  );
}

/** Re-throws a driver error, turning outages into the typed 503 the façades know. */
export function translateDbError(error: unknown): never {
  if (isUnavailable(error)) throw new TwofoldError('database_unavailable');
  throw error;
}

export function isUniqueViolation(error: unknown): error is Error & { constraint?: string } {
  return error instanceof Error && (error as { code?: unknown }).code === '23505';
}
