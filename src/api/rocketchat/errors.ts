import type { FastifyInstance } from 'fastify';
import { TwofoldError, type ErrorCode } from '../../core/errors.ts';
import { toMeteorError } from '../ddp/errors.ts';
import { MeteorError } from '../ddp/types.ts';
import { sendRetryAfter, toTwofoldError } from '../http/fastify-errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `login`: the route answers failures as Rocket.Chat's `POST /api/v1/login` does (401 with the Meteor error). */
    rocketChatErrors?: 'login';
  }
}

/**
 * Every catalogue code as the HTTP status Rocket.Chat's REST API answers it with (a new code fails the type check
 * until it is mapped here). The error's name and reason are the Meteor error DDP gives (`toMeteorError`): Rocket.Chat's
 * REST routes throw the same Meteor errors as its methods. Challenges and wrong codes are 400, because
 * `@rocket.chat/api-client` retries with `x-2fa-code` only after a 400.
 */
const REST_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  body_too_large: 413,
  unsupported_media_type: 415,
  not_found: 404,
  method_not_allowed: 404,
  invalid_email: 400,
  weak_password: 400,
  missing_password: 400,
  missing_identity: 400,
  invalid_username: 400,
  user_exists: 400,
  user_not_found: 400,
  invalid_credentials: 401,
  user_disabled: 401,
  account_locked_by_owner: 403,
  factor_change_pending: 409,
  veto_token_invalid: 400,
  not_authenticated: 401,
  session_expired: 401,
  forbidden: 403,
  admin_token_invalid: 401,
  admin_scope_missing: 403,
  webhook_not_found: 404,
  verification_token_invalid: 400,
  email_already_verified: 400,
  code_required: 400,
  code_malformed: 400,
  code_invalid: 400,
  transaction_required: 400,
  transaction_not_found: 400,
  transaction_expired: 400,
  transaction_used: 400,
  transaction_locked: 400,
  totp_not_pending: 400,
  totp_not_enabled: 400,
  second_factor_required: 400,
  second_factor_invalid: 400,
  second_factor_max_attempts: 400,
  account_locked: 429,
  email_not_verified: 400,
  factor_unavailable: 400,
  second_factor_setup_required: 403,
  webauthn_not_enabled: 400,
  webauthn_invalid: 400,
  webauthn_registration_failed: 400,
  webauthn_credential_exists: 400,
  webauthn_credential_not_found: 404,
  webauthn_name_taken: 400,
  webauthn_limit_reached: 400,
  device_not_found: 404,
  invalid_app_credentials: 401,
  mail_delivery_failed: 503,
  database_unavailable: 503,
  database_timeout: 503,
  server_busy: 503,
  rate_limited: 429,
  // Rocket.Chat answers a login of an unconfirmed address and other refusals of its methods with 400 (its REST
  // client retries nothing on them); an expired reset link is its `Token expired` 400.
  email_not_confirmed: 400,
  too_many_sessions: 400,
  property_invalid: 400,
  property_protected: 400,
  reset_token_invalid: 400,
  not_supported: 404,
  internal: 500,
} as const satisfies Record<ErrorCode, number>;

const NOT_LOGGED_IN = 'You must be logged in to do this.';

export interface RestFailure {
  status: number;
  body: Record<string, unknown>;
}

/** A failure in Rocket.Chat's REST envelopes; `login` answers as its sign-in route does. */
export function restFailure(error: unknown, route: 'login' | 'other' = 'other'): RestFailure {
  const meteor = error instanceof MeteorError ? error : toMeteorError(toTwofoldError(error));
  const status = error instanceof MeteorError ? 400 : REST_STATUS[toTwofoldError(error).code];
  if (!meteor || status >= 500) {
    return { status, body: { success: false, error: status === 500 ? 'Internal server error' : 'Service Unavailable' } };
  }
  if (status === 429) return { status, body: { success: false, error: meteor.reason } };
  // Every other refusal of a sign-in is a 401 carrying the Meteor error itself (its `totp-required` challenge too).
  if (route === 'login') {
    return { status: 401, body: { success: false, status: 'error', error: meteor.error, details: meteor.details, message: meteor.reason ?? meteor.message } };
  }
  if (status === 401) return { status, body: { success: false, status: 'error', error: NOT_LOGGED_IN, message: NOT_LOGGED_IN } };
  if (status === 404) return { status, body: { success: false, error: 'Resource not found' } };
  return {
    status,
    body: { success: false, error: meteor.message, errorType: meteor.error, ...(meteor.details !== undefined ? { details: meteor.details } : {}) },
  };
}

/** This façade's error handler and its answer for unknown `/api/v1` routes. */
export function installRocketChatErrors(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const failure = restFailure(error, request.routeOptions.config?.rocketChatErrors === 'login' ? 'login' : 'other');
    if (failure.status === 500) request.log.error({ err: error }, 'unhandled error');
    if (!(error instanceof MeteorError)) sendRetryAfter(reply, toTwofoldError(error));
    void reply.status(failure.status).send(failure.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const failure = restFailure(new TwofoldError('not_found', { url: request.url.split('?')[0] }));
    void reply.status(failure.status).send(failure.body);
  });
}

/** Rocket.Chat's answer to a `method.call` body that is not a method call. */
export const invalidMethodCall = (): RestFailure => ({ status: 400, body: { success: false, error: 'Invalid method call' } });
