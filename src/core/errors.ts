/**
 * The error catalogue: every failure a caller can see, with a stable machine code.
 * Façades map these codes to their wire formats (native JSON, Backendless, Meteor) in one file each;
 * the HTTP status here is the native API's and the default for the other HTTP façades.
 * Codes are part of the public API: never rename one, only add.
 */
export const errorCatalogue = {
  validation_failed: { status: 400, message: 'The request is not valid.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  body_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'The request body must be JSON.' },
  not_found: { status: 404, message: 'No such resource.' },
  method_not_allowed: { status: 405, message: 'This method is not allowed here.' },

  invalid_email: { status: 400, message: 'The email address is not valid.' },
  weak_password: { status: 400, message: 'The password does not meet the password policy.' },
  missing_password: { status: 400, message: 'A password is required.' },
  missing_identity: { status: 400, message: 'An email or username is required.' },
  invalid_username: { status: 400, message: 'The username is not valid.' },
  user_exists: { status: 409, message: 'A user with this email or username already exists.' },
  user_not_found: { status: 404, message: 'No such user.' },
  invalid_credentials: { status: 401, message: 'Invalid login or password.' },
  user_disabled: { status: 403, message: 'This account is disabled.' },
  email_not_confirmed: { status: 403, message: 'Confirm your email address before signing in: follow the link mailed to you, or ask for a new one.' },
  too_many_sessions: { status: 409, message: 'This account has as many signed-in sessions as it may have: sign out elsewhere first.' },
  property_invalid: { status: 400, message: 'A user property is not valid.' },
  property_protected: { status: 403, message: 'This user property cannot be set or changed this way.' },
  reset_token_invalid: { status: 400, message: 'The password reset link is invalid, expired or already used. Ask for a new one.' },

  not_authenticated: { status: 401, message: 'A valid session token is required.' },
  session_expired: { status: 401, message: 'The session has expired. Sign in again.' },
  forbidden: { status: 403, message: 'This action is not allowed for this session.' },

  verification_token_invalid: { status: 400, message: 'The verification link is invalid, expired or already used.' },
  email_already_verified: { status: 409, message: 'The email address is already verified.' },

  code_required: { status: 400, message: 'A second-factor code is required.' },
  code_malformed: { status: 400, message: 'The code must be the digits from the authenticator app or a backup code.' },
  code_invalid: { status: 401, message: 'The code is not valid.' },
  transaction_required: { status: 400, message: 'A transactionId is required.' },
  transaction_not_found: { status: 404, message: 'Unknown transaction.' },
  transaction_expired: { status: 410, message: 'The transaction has expired. Sign in again.' },
  transaction_used: { status: 409, message: 'The transaction was already completed.' },
  transaction_locked: { status: 403, message: 'Too many wrong codes: the transaction is closed. Sign in again.' },
  totp_not_pending: { status: 409, message: 'There is no authenticator waiting for confirmation. Enable two-factor authentication first.' },
  totp_not_enabled: { status: 409, message: 'Two-factor authentication with an authenticator app is not enabled.' },

  second_factor_required: { status: 401, message: 'A second-factor code is required for this operation.' },
  second_factor_invalid: { status: 401, message: 'The second-factor code is not valid.' },
  second_factor_max_attempts: { status: 403, message: 'Too many wrong codes: request a new code.' },
  account_locked: { status: 429, message: 'Too many failed second-factor attempts: checks are paused for this account.' },
  email_not_verified: { status: 409, message: 'Verify your email address before using it for two-factor codes.' },
  factor_unavailable: { status: 409, message: 'This kind of second factor is turned off on this server.' },
  factor_change_pending: { status: 409, message: 'A change of this factor is already waiting for its veto window to end.' },
  veto_token_invalid: { status: 400, message: 'The link to cancel a factor change is invalid, expired or already used.' },
  account_locked_by_owner: { status: 403, message: 'The owner of this account stopped a change to its second factors and locked it: an administrator must unlock it.' },
  second_factor_setup_required: { status: 403, message: 'This account must have a second factor and its grace period is over: set one up first.' },

  webauthn_not_enabled: { status: 400, message: 'This account has no passkey or security key.' },
  webauthn_invalid: { status: 401, message: 'The passkey or security key did not confirm this sign-in.' },
  webauthn_registration_failed: { status: 400, message: 'The passkey or security key could not be registered. Try again.' },
  webauthn_credential_exists: { status: 409, message: 'This passkey or security key is already registered.' },
  webauthn_name_taken: { status: 409, message: 'Another passkey or security key of this account has this name.' },
  webauthn_credential_not_found: { status: 404, message: 'No such passkey or security key.' },
  webauthn_limit_reached: { status: 409, message: 'This account has as many passkeys and security keys as it may have.' },
  device_not_found: { status: 404, message: 'No such trusted device.' },

  invalid_app_credentials: { status: 401, message: 'Unknown application id or API key.' },
  admin_token_invalid: { status: 401, message: 'A valid admin API token is required (create one with `twofold admin token create`).' },
  admin_scope_missing: { status: 403, message: 'This admin API token does not have the scope this call needs.' },
  webhook_not_found: { status: 404, message: 'No such webhook endpoint.' },
  not_supported: { status: 501, message: 'twofold does not offer this call.' },

  mail_delivery_failed: { status: 503, message: 'The email could not be sent. Try again later.' },
  database_unavailable: { status: 503, message: 'The service is temporarily unavailable. Try again shortly.' },
  database_timeout: { status: 503, message: 'The database did not answer in time. Try again shortly.' },
  server_busy: { status: 503, message: 'The server is busy or restarting. Try again shortly.' },
  rate_limited: { status: 429, message: 'Too many requests. Slow down and try again later.' },
  internal: { status: 500, message: 'Internal server error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** A failure a caller may see. `details` must never hold a secret: it is sent to the client as is. */
export class TwofoldError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, details: Record<string, unknown> = {}, message?: string, options?: { cause?: unknown }) {
    const entry = errorCatalogue[code];
    super(message ?? entry.message, options);
    this.name = 'TwofoldError';
    this.code = code;
    this.status = entry.status;
    this.details = details;
  }
}

export function isTwofoldError(error: unknown): error is TwofoldError {
  return error instanceof TwofoldError;
}
