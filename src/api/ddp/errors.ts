import { isTwofoldError, type ErrorCode } from '../../core/errors.ts';
import { MeteorError } from './types.ts';

type MeteorShape = readonly [error: string | number, reason: string] | 'too-many-requests';

/**
 * Every catalogue code as the Meteor error Rocket.Chat clients know (shared/spec/rocketchat.md): the DDP façade's one
 * error mapping, and the only place a `MeteorError` is made from a core error. A new code fails the type check
 * until it is mapped here.
 */
const METEOR_ERRORS = {
  validation_failed: [400, 'Match failed'],
  invalid_json: [400, 'Match failed'],
  body_too_large: [400, 'Match failed'],
  unsupported_media_type: [400, 'Match failed'],
  not_found: [404, 'Not found'],
  method_not_allowed: [404, 'Not found'],
  invalid_email: [400, 'Match failed'],
  weak_password: ['error-password-policy-not-met', 'The password does not meet the password policy'],
  missing_password: [400, 'Match failed'],
  missing_identity: [400, 'Match failed'],
  invalid_username: [400, 'Match failed'],
  user_exists: [403, 'User already exists'],
  user_not_found: ['error-invalid-user', 'Invalid user'],
  // One ambiguous answer for unknown users and wrong passwords (no enumeration).
  invalid_credentials: [403, 'Something went wrong. Please check your credentials.'],
  user_disabled: [403, 'User is deactivated'],
  account_locked_by_owner: ['error-account-locked-by-owner', 'The owner locked this account: an administrator must unlock it'],
  factor_change_pending: ['error-factor-change-pending', 'A change of this factor is already waiting'],
  veto_token_invalid: ['error-invalid-token', 'The link is invalid, expired or already used'],
  // Rocket.Chat's answer (validateLoginAttempt) when Accounts_EmailVerification is on and no address is verified.
  email_not_confirmed: ['error-invalid-email', 'Invalid email __email__'],
  too_many_sessions: [403, 'Too many sessions'],
  property_invalid: [400, 'Match failed'],
  property_protected: ['error-action-not-allowed', 'Not allowed'],
  // Meteor accounts-password's resetPassword answer for a bad token.
  reset_token_invalid: [403, 'Token expired'],
  not_authenticated: ['not-authorized', 'Not authorized'],
  session_expired: ['not-authorized', 'Not authorized'],
  forbidden: ['not-authorized', 'Not authorized'],
  admin_token_invalid: ['not-authorized', 'Not authorized'],
  admin_scope_missing: ['not-authorized', 'Not authorized'],
  webhook_not_found: [404, 'Not found'],
  verification_token_invalid: ['error-invalid-token', 'The verification link is invalid, expired or already used'],
  email_already_verified: ['error-email-already-verified', 'The email address is already verified'],
  second_factor_required: ['totp-required', 'TOTP Required'],
  second_factor_invalid: ['totp-invalid', 'TOTP Invalid'],
  // Rocket.Chat's own spelling, kept: clients compare the string.
  second_factor_max_attempts: ['totp-max-attempts', 'TOTP Maximun Failed Attempts Reached'],
  code_required: ['invalid-totp', 'Invalid TOTP provided'],
  code_malformed: ['invalid-totp', 'Invalid TOTP provided'],
  code_invalid: ['invalid-totp', 'Invalid TOTP provided'],
  transaction_required: [400, 'Match failed'],
  transaction_not_found: ['error-invalid-transaction', 'Unknown transaction'],
  transaction_expired: ['error-invalid-transaction', 'The transaction has expired'],
  transaction_used: ['error-invalid-transaction', 'The transaction was already completed'],
  transaction_locked: ['error-invalid-transaction', 'The transaction is closed'],
  totp_not_pending: ['invalid-totp', 'Invalid TOTP provided'],
  totp_not_enabled: ['invalid-totp', 'TOTP is not enabled'],
  account_locked: 'too-many-requests',
  email_not_verified: ['error-email-not-verified', 'Verify your email address before enabling email codes'],
  factor_unavailable: ['error-not-allowed', 'This second factor is turned off on this server'],
  second_factor_setup_required: ['error-2fa-setup-required', 'Set up two-factor authentication first'],
  webauthn_not_enabled: ['error-webauthn-not-enabled', 'No passkey or security key is registered'],
  webauthn_invalid: ['totp-invalid', 'TOTP Invalid'],
  webauthn_registration_failed: ['error-webauthn-registration', 'The key could not be registered'],
  webauthn_credential_exists: ['error-webauthn-registration', 'This key is already registered'],
  webauthn_credential_not_found: [404, 'No such key'],
  webauthn_name_taken: ['error-webauthn-name-taken', 'Another key has this name'],
  webauthn_limit_reached: ['error-webauthn-registration', 'Too many keys'],
  device_not_found: [404, 'No such device'],
  invalid_app_credentials: ['not-authorized', 'Not authorized'],
  not_supported: [404, 'Not found'],
  mail_delivery_failed: ['error-email-send-failed', 'The email could not be sent'],
  database_unavailable: [503, 'Service temporarily unavailable'],
  database_timeout: [503, 'Service temporarily unavailable'],
  server_busy: [503, 'Service temporarily unavailable'],
  rate_limited: 'too-many-requests',
  internal: [500, 'Internal server error'],
} as const satisfies Record<ErrorCode, MeteorShape>;

export function toMeteorError(error: unknown): MeteorError | undefined {
  if (error instanceof MeteorError) return error;
  if (!isTwofoldError(error) || error.code === 'internal') return undefined;
  const mapped: MeteorShape = METEOR_ERRORS[error.code];
  if (mapped === 'too-many-requests') return tooManyRequests(error.details);
  const details = Object.keys(error.details).length > 0 ? error.details : undefined;
  return new MeteorError(mapped[0], mapped[1], details);
}

/**
 * Errors of the Meteor accounts and Rocket.Chat method contracts themselves (argument checks, call shapes), not
 * of the core: named here so that every Meteor error twofold's methods raise is made in this one file.
 */
export const ddpErrors = {
  matchFailed: () => new MeteorError(400, 'Match failed'),
  unrecognizedLogin: () => new MeteorError(400, 'Unrecognized options for login request'),
  methodNotFound: (name: string) => new MeteorError(404, `Method '${name}' not found`),
  parameterRequired: (method: string, parameter: string) => new MeteorError('error-parameter-required', `${parameter} is a required parameter`, { method }),
  invalidUser: (method: string) => new MeteorError('error-invalid-user', 'Invalid user', { method }),
  totpNotEnabled: () => new MeteorError('invalid-totp', 'TOTP is not enabled'),
  alreadyEnabled: () => new MeteorError('error-2fa-already-enabled', 'Two-factor authentication is already enabled'),
};

/** A resume token that no longer works, in Meteor's words: expired, or logged out (revoked, unknown). */
export function resumeError(error: unknown): MeteorError | null {
  if (!isTwofoldError(error)) return null;
  if (error.code === 'session_expired') return new MeteorError(403, 'Your session has expired. Please log in again.');
  if (error.status === 401) return new MeteorError(403, "You've been logged out by the server. Please log in again.");
  return null;
}

/** Rocket.Chat's rate-limit error: the wait in the reason, and in `details.timeToReset` (milliseconds). */
function tooManyRequests(details: Record<string, unknown>): MeteorError {
  const seconds = typeof details.retryAfterSeconds === 'number' ? details.retryAfterSeconds : null;
  const wait = seconds === null ? 'until an administrator unlocks the account' : `${seconds} seconds`;
  return new MeteorError('too-many-requests', `Error, too many requests. Please slow down. You must wait ${wait} before trying again.`, {
    timeToReset: seconds === null ? null : seconds * 1000,
  });
}

