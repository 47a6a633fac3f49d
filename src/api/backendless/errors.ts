import type { FastifyInstance } from 'fastify';
import { TwofoldError, type ErrorCode } from '../../core/errors.ts';
import { replyError } from '../http/fastify-errors.ts';

/**
 * Every catalogue code as a Backendless error number (a new code fails the type check until it is mapped here).
 * Where Backendless has a published code we reuse it; second-factor failures have none, so they get twofold's
 * own stable 88xx range (docs/backendless.md). The real SDK decides success by HTTP status alone, so every
 * error here is non-2xx (and never 502, whose message the SDK replaces).
 */
const BACKENDLESS_CODES = {
  validation_failed: 8000,
  invalid_json: 8002,
  body_too_large: 8413,
  unsupported_media_type: 8415,
  not_found: 1000,
  method_not_allowed: 1000,
  invalid_email: 3040,
  weak_password: 3048,
  missing_password: 3011,
  missing_identity: 3013,
  invalid_username: 8012,
  user_exists: 3033,
  user_not_found: 3020,
  invalid_credentials: 3003,
  user_disabled: 3090,
  // twofold's own (Backendless has no veto window): the owner cancelled a factor change and locked the account.
  account_locked_by_owner: 8842,
  factor_change_pending: 8843,
  veto_token_invalid: 8844,
  // "Unable to login: email confirmation is pending" (the app requires confirmed addresses).
  email_not_confirmed: 3087,
  // "Multiple login limit for the same user account is reached."
  too_many_sessions: 3044,
  // "General 'update registration' error" (register answers 3021, its registration twin: see the route).
  property_invalid: 3024,
  property_protected: 8840,
  reset_token_invalid: 8841,
  not_authenticated: 3064,
  session_expired: 3064,
  forbidden: 8811,
  admin_token_invalid: 3064,
  admin_scope_missing: 8811,
  webhook_not_found: 1000,
  verification_token_invalid: 8820,
  email_already_verified: 8821,
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
  second_factor_required: 8812,
  second_factor_invalid: 8813,
  second_factor_max_attempts: 8814,
  account_locked: 3036,
  email_not_verified: 8822,
  factor_unavailable: 8837,
  second_factor_setup_required: 8838,
  webauthn_not_enabled: 8830,
  webauthn_invalid: 8831,
  webauthn_registration_failed: 8832,
  webauthn_credential_exists: 8833,
  webauthn_credential_not_found: 8834,
  webauthn_name_taken: 8838,
  webauthn_limit_reached: 8835,
  device_not_found: 8836,
  invalid_app_credentials: 2002,
  not_supported: 8850,
  mail_delivery_failed: 8503,
  database_unavailable: 8503,
  database_timeout: 8503,
  server_busy: 8503,
  rate_limited: 8429,
  internal: 8500,
} as const satisfies Record<ErrorCode, number>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Numbers this Backendless route answers instead of the table's: Backendless numbers one failure per call. */
    backendlessCodes?: Partial<Record<ErrorCode, number>>;
  }
}

/**
 * SDK calls twofold does not offer, by the name `not_supported` carries in `details.call`. Where Backendless
 * itself refuses the call to an app's ordinary API key (twofold has no CloudCode key), its own answer;
 * else twofold's 8850, whose message names the call.
 */
const UNSUPPORTED_CALLS: Record<string, { code: number; message: string }> = {
  'Users.login(objectId)': { code: 2014, message: 'Login by object id is allowed only for Code Runner API key' },
  'Users.verifyPassword': { code: 3122, message: 'Password verification allowed only from CloudCode' },
  'Users.enableUser': { code: 3054, message: 'Operation allowed only for BL logic.' },
  'Users.disableUser': { code: 3054, message: 'Operation allowed only for BL logic.' },
  'Users.assignRole': { code: 2011, message: 'Assigning roles is allowed only for Code Runner API key' },
  'Users.unassignRole': { code: 2011, message: 'Unassigning roles is allowed only for Code Runner API key' },
};

/** Backendless' own words where apps match on them; else the catalogue's. */
const MESSAGES: Partial<Record<ErrorCode, (error: TwofoldError) => string>> = {
  not_authenticated: (error) => `Not existing user token. ${error.message}`,
  session_expired: (error) => `Not existing user token. ${error.message}`,
  second_factor_required: () => 'A second-factor code is needed for this call: send it as {code} (an authenticator or backup code).',
  not_supported: (error) => `twofold does not offer ${String(error.details.call ?? 'this call')}: see docs/backendless.md for the calls it answers.`,
};

export function backendlessCode(code: ErrorCode): number {
  return BACKENDLESS_CODES[code];
}

export function backendlessErrorBody(error: TwofoldError, routeCodes: Partial<Record<ErrorCode, number>> = {}) {
  const unsupported = error.code === 'not_supported' ? UNSUPPORTED_CALLS[String(error.details.call)] : undefined;
  if (unsupported) return { code: unsupported.code, message: unsupported.message, errorData: { reason: error.code, ...error.details } };
  const message = MESSAGES[error.code]?.(error) ?? error.message;
  return { code: routeCodes[error.code] ?? backendlessCode(error.code), message, errorData: { reason: error.code, ...error.details } };
}

export function installBackendlessErrors(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const typed = replyError(error, request, reply);
    const status = typed.status === 502 ? 500 : typed.status;
    void reply.status(status).send(backendlessErrorBody(typed, request.routeOptions.config?.backendlessCodes));
  });
}
