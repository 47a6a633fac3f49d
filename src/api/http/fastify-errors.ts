import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { TwofoldError, isTwofoldError, type ErrorCode } from '../../core/errors.ts';

/**
 * How long a client should wait before sending the same request again (`Retry-After`, RFC 9110 10.2.3),
 * for the failures that pass by themselves. Each is safe to retry unchanged (docs/operations.md).
 */
const RETRY_AFTER_SECONDS: Partial<Record<ErrorCode, number>> = {
  server_busy: 1,
  database_unavailable: 1,
  database_timeout: 2,
  mail_delivery_failed: 5,
};

/**
 * What every HTTP façade's error handler does before rendering in its own format: the catalogue error
 * (an unexpected one logged), with `Retry-After` when the failure passes by itself.
 */
export function replyError(error: unknown, request: FastifyRequest, reply: FastifyReply): TwofoldError {
  const typed = toTwofoldError(error);
  if (typed.code === 'internal') request.log.error({ err: error }, 'unhandled error');
  sendRetryAfter(reply, typed);
  return typed;
}

/** `Retry-After` on an answer whose failure passes by itself (see RETRY_AFTER_SECONDS). */
export function sendRetryAfter(reply: FastifyReply, error: TwofoldError): void {
  const retryAfter = RETRY_AFTER_SECONDS[error.code];
  if (retryAfter !== undefined) void reply.header('retry-after', retryAfter);
}

/**
 * Turns anything a route or Fastify itself throws into a catalogue error. Shared by every HTTP
 * façade, which then renders it in its own wire format. Unknown errors become `internal`
 * (the caller logs the original; the client never sees it).
 */
export function toTwofoldError(error: unknown): TwofoldError {
  if (isTwofoldError(error)) return error;
  const fastifyError = error as Partial<FastifyError> & { validation?: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown> }> };
  if (fastifyError.validation) {
    const first = fastifyError.validation[0];
    const field = first?.params?.missingProperty ?? first?.params?.additionalProperty;
    return new TwofoldError('validation_failed', {
      location: fastifyError.validationContext ?? 'body',
      field: field ? `${first?.instancePath ?? ''}/${String(field)}` : first?.instancePath || undefined,
      problem: first?.message,
    });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new TwofoldError('invalid_json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TwofoldError('body_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new TwofoldError('unsupported_media_type');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new TwofoldError('validation_failed', { location: 'headers', field: 'content-length' });
  }
  if (error instanceof SyntaxError) return new TwofoldError('invalid_json');
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new TwofoldError(status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : 'validation_failed');
  }
  return new TwofoldError('internal');
}
