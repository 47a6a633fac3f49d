import { isTwofoldError, type ErrorCode } from '../../core/errors.ts';
import { MeteorError } from './types.ts';

/**
 * Catalogue codes as the Meteor errors Rocket.Chat clients know (shared/spec/rocketchat.md). This is the
 * DDP façade's one error mapping; anything not listed becomes a 500 "Internal server error" upstream.
 */
const METEOR_ERRORS: Partial<Record<ErrorCode, [error: string | number, reason: string | undefined]>> = {
  second_factor_required: ['totp-required', 'TOTP Required'],
  second_factor_invalid: ['totp-invalid', 'TOTP Invalid'],
  // Rocket.Chat's own spelling, kept: clients compare the string.
  second_factor_max_attempts: ['totp-max-attempts', 'TOTP Maximun Failed Attempts Reached'],
  code_invalid: ['invalid-totp', 'Invalid TOTP provided'],
  code_malformed: ['invalid-totp', 'Invalid TOTP provided'],
  code_required: ['invalid-totp', 'Invalid TOTP provided'],
  totp_not_pending: ['invalid-totp', 'Invalid TOTP provided'],
  totp_not_enabled: ['invalid-totp', 'TOTP is not enabled'],
  not_authenticated: ['not-authorized', 'Not authorized'],
  session_expired: ['not-authorized', 'Not authorized'],
  forbidden: ['not-authorized', 'Not authorized'],
  user_not_found: ['error-invalid-user', 'Invalid user'],
  invalid_credentials: [403, 'Something went wrong. Please check your credentials.'],
  user_disabled: [403, 'User is deactivated'],
  missing_identity: [400, 'Match failed'],
  missing_password: [400, 'Match failed'],
  validation_failed: [400, 'Match failed'],
  invalid_email: [400, 'Match failed'],
  email_not_verified: ['error-email-not-verified', 'Verify your email address before enabling email codes'],
  rate_limited: ['too-many-requests', 'Error, too many requests. Please slow down.'],
  mail_delivery_failed: ['error-email-send-failed', 'The email could not be sent'],
  database_unavailable: [503, 'Service temporarily unavailable'],
};

export function toMeteorError(error: unknown): MeteorError | undefined {
  if (error instanceof MeteorError) return error;
  if (!isTwofoldError(error)) return undefined;
  if (error.code === 'account_locked' || error.code === 'rate_limited') return tooManyRequests(error.details);
  const mapped = METEOR_ERRORS[error.code];
  if (!mapped) return undefined;
  const details = Object.keys(error.details).length > 0 ? error.details : undefined;
  return new MeteorError(mapped[0], mapped[1], details);
}

/** Rocket.Chat's rate-limit error: the wait in the reason, and in `details.timeToReset` (milliseconds). */
function tooManyRequests(details: Record<string, unknown>): MeteorError {
  const seconds = typeof details.retryAfterSeconds === 'number' ? details.retryAfterSeconds : null;
  const wait = seconds === null ? 'until an administrator unlocks the account' : `${seconds} seconds`;
  return new MeteorError('too-many-requests', `Error, too many requests. Please slow down. You must wait ${wait} before trying again.`, {
    timeToReset: seconds === null ? null : seconds * 1000,
  });
}

export const notAuthorized = () => new MeteorError('not-authorized', 'Not authorized');
