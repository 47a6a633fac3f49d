import type { FastifyInstance } from 'fastify';
import { TwofoldError, type ErrorCode } from '../../core/errors.ts';
import { toTwofoldError } from '../http/fastify-errors.ts';

/**
 * Catalogue codes as Backendless error numbers. Where Backendless has a published code we reuse it;
 * second-factor failures have none, so they get twofold's own stable 88xx range (docs/backendless.md).
 * The real SDK decides success by HTTP status alone, so every error here is non-2xx (and never 502,
 * whose message the SDK replaces).
 */
const BACKENDLESS_CODES: Partial<Record<ErrorCode, number>> = {
  invalid_credentials: 3003,
  user_exists: 3033,
  missing_password: 3011,
  missing_identity: 3013,
  invalid_email: 3040,
  user_disabled: 3090,
  not_authenticated: 3064,
  session_expired: 3064,
  invalid_app_credentials: 2002,
  not_found: 1000,
  user_not_found: 3020,
  weak_password: 3048,
  invalid_username: 8012,
  validation_failed: 8000,
  invalid_json: 8002,
  body_too_large: 8413,
  unsupported_media_type: 8415,
  code_required: 8801,
  code_malformed: 8802,
  code_invalid: 8803,
  transaction_required: 8804,
  transaction_not_found: 8805,
  transaction_expired: 8806,
  transaction_used: 8807,
  transaction_locked: 8808,
  totp_not_pending: 8809,
  totp_not_enabled: 8810,
  forbidden: 8811,
  rate_limited: 8429,
  account_locked: 3036,
  mail_delivery_failed: 8503,
  database_unavailable: 8503,
  internal: 8500,
};

export function backendlessCode(code: ErrorCode): number {
  return BACKENDLESS_CODES[code] ?? 8000;
}

export function backendlessErrorBody(error: TwofoldError) {
  // The SDK shows `message`; Backendless' own "not existing token" message is what apps match on.
  const message = error.code === 'not_authenticated' || error.code === 'session_expired' ? `Not existing user token. ${error.message}` : error.message;
  return { code: backendlessCode(error.code), message, errorData: { reason: error.code, ...error.details } };
}

export function installBackendlessErrors(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const typed = toTwofoldError(error);
    if (typed.code === 'internal') request.log.error({ err: error }, 'unhandled error');
    const status = typed.status === 502 ? 500 : typed.status;
    void reply.status(status).send(backendlessErrorBody(typed));
  });
}
