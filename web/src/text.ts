/** Words for what the API answers: errors, events, devices, times. */
import { TwofoldClientError, type PendingFactorChange } from '../../src/client/index.ts';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatTime = (iso: string | Date) => when.format(typeof iso === 'string' ? new Date(iso) : iso);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "10 minutes", "1 hour", "45 seconds": a lifetime from the server's policy, for a sentence. */
export function duration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds >= 60) return plural(Math.round(seconds / 60), 'minute');
  return plural(seconds, 'second');
}

export function lockedText(details: Record<string, unknown>): string {
  const retryAt = typeof details.retryAt === 'string' ? new Date(details.retryAt) : null;
  if (!retryAt) return 'Too many wrong codes: sign-in checks for this account are paused until an administrator unlocks it.';
  const seconds = typeof details.retryAfterSeconds === 'number' ? details.retryAfterSeconds : (retryAt.getTime() - Date.now()) / 1000;
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return `Too many wrong codes: sign-in checks for this account are paused. Try again after ${formatTime(retryAt)} (in about ${plural(minutes, 'minute')}).`;
}

const TRANSACTION_ENDED: Record<string, string> = {
  transaction_expired: 'That sign-in was left open too long. Please sign in again.',
  transaction_locked: 'Too many failed checks: that sign-in is closed. Please sign in again.',
  transaction_not_found: 'That sign-in is no longer open. Please sign in again.',
  transaction_used: 'That sign-in was already completed. Please sign in again.',
};

/** A sentence for a failure, from its catalogue code (src/core/errors.ts) and details. */
export function explain(error: unknown): string {
  if (!(error instanceof TwofoldClientError)) return error instanceof Error ? error.message : String(error);
  const details = error.details;
  const left = typeof details.attemptsLeft === 'number' ? ` ${plural(details.attemptsLeft, 'attempt')} left.` : '';
  // A string: the catalogue grows with the backend, and the page may name codes it does not know yet.
  const code: string = error.code;
  if (code in TRANSACTION_ENDED) return TRANSACTION_ENDED[code]!;
  switch (code) {
    case 'webauthn_invalid':
      return `That passkey or security key was not accepted.${left}`;
    case 'webauthn_not_enabled':
      return 'This account has no passkey or security key. Use a code instead.';
    case 'webauthn_registration_failed':
      return 'The new passkey or security key could not be verified, so it was not added. Try again.';
    case 'webauthn_credential_exists':
      return 'This passkey or security key is already registered for your account.';
    case 'webauthn_limit_reached':
      return 'This account has as many passkeys and security keys as it may have. Remove one to add another.';
    case 'webauthn_name_taken':
      return 'Another of your passkeys or security keys has this name. Choose another name.';
    case 'webauthn_credential_not_found':
      return 'That passkey or security key is no longer registered.';
    case 'device_not_found':
      return 'That device is no longer trusted.';
    case 'second_factor_max_attempts':
      return 'Too many wrong codes. Ask for a new code, or confirm another way.';
    case 'invalid_credentials':
      return 'Wrong email, username or password.';
    case 'weak_password':
      return typeof details.minLength === 'number' && typeof details.maxLength === 'number'
        ? `Choose a password of ${details.minLength} to ${details.maxLength} characters.`
        : error.message;
    case 'code_invalid':
      return `That code is not valid.${left}`;
    case 'second_factor_invalid':
      return details.method === 'webauthn'
        ? 'That passkey or security key was not accepted.'
        : details.method === 'password'
          ? 'That password is not right.'
          : 'That code is not valid.';
    case 'code_malformed':
      return 'Enter the 6 digits from your authenticator app, or a backup code such as ABCD-EFGH.';
    case 'code_required':
      return 'Enter the code.';
    case 'account_locked':
      return lockedText(details);
    case 'account_locked_by_owner':
      return 'This account is locked: a change to its sign-in was cancelled from the link we emailed. Ask your administrator to unlock it.';
    case 'factor_change_pending':
      return 'A change of this is already waiting (see “Pending changes”). It can be changed again once that one takes effect.';
    case 'veto_token_invalid':
      return 'That link is invalid, expired or already used. Nothing was cancelled.';
    case 'rate_limited':
      return `Too many requests. Try again in ${typeof details.retryAfterSeconds === 'number' ? plural(details.retryAfterSeconds, 'second') : 'a moment'}.`;
    case 'network_error':
      return 'No answer from the server: it may be down or restarting, or this device offline. Try again in a moment.';
    default:
      return error.message;
  }
}

/** What every change that weakens the account also does (core/audit/account-events.ts `endOtherSessions`). */
export const ENDS_OTHER_SESSIONS = 'Your other sessions will be signed out, and trusted devices forgotten (they ask for the second step again).';

export const isCode = (error: unknown, ...codes: string[]) => error instanceof TwofoldClientError && codes.includes(error.code);

/** A change the veto window holds (`/v1/me` `pendingFactorChanges`), in the words of the cards. */
const pendingWords: Record<PendingFactorChange['kind'], string> = {
  'totp-enable': 'Turn on the authenticator app',
  'totp-replace': 'Replace the authenticator app with a new one',
  'totp-disable': 'Turn off the authenticator app',
  'email-enable': 'Turn on email codes',
  'email-disable': 'Turn off email codes',
  'passkey-add': 'Add a passkey or security key',
  'passkey-remove': 'Remove a passkey or security key',
};

const factorNames: Record<string, string> = { totp: 'Authenticator app', email: 'Email codes', webauthn: 'Passkey or security key' };
const eventNames: Record<string, string> = {
  login_succeeded: 'Signed in',
  login_failed: 'Failed sign-in',
  challenge_issued: 'Second factor asked for',
  challenge_passed: 'Code accepted',
  challenge_failed: 'Wrong code',
  backup_codes_regenerated: 'New backup codes made',
  account_locked: 'Checks paused after too many wrong codes',
  totp_replay_rejected: 'A used code was tried again',
  password_changed: 'Password changed',
  sessions_revoked: 'Other sessions signed out',
  key_rotated: 'Encryption key rotated',
  device_trusted: 'Browser remembered: it skips the second step',
  devices_revoked: 'Trusted devices forgotten',
  factor_change_vetoed: 'Pending changes cancelled from the emailed link',
  account_locked_by_owner: 'Account locked from the emailed link',
};

const passkeyEvents: Record<string, string> = {
  challenge_issued: 'Passkey or security key asked for',
  challenge_passed: 'Passkey or security key accepted',
  challenge_failed: 'Passkey or security key not accepted',
};

/** Which code a challenge event was about: a used backup code leaves a trace the user can see. */
const codeNames: Record<string, string> = { totp: 'Authenticator app code', backup: 'Backup code', backup_code: 'Backup code', email: 'Email code', password: 'Password' };

export function eventName(kind: string, details: Record<string, unknown>): string {
  if (details.method === 'webauthn' && passkeyEvents[kind]) return passkeyEvents[kind];
  const code = codeNames[String(details.method)];
  if (code && (kind === 'challenge_passed' || kind === 'challenge_failed')) return `${code} ${kind === 'challenge_passed' ? 'accepted' : 'not accepted'}`;
  if (kind === 'devices_revoked' && typeof details.count === 'number') return `${plural(details.count, 'trusted device')} forgotten`;
  if ((kind === 'factor_change_requested' || kind === 'factor_change_applied') && typeof details.kind === 'string' && details.kind in pendingWords) {
    const what = pendingWords[details.kind as PendingFactorChange['kind']].toLowerCase();
    if (kind === 'factor_change_requested') return `Change asked for, waiting: ${what}`;
    return details.outcome === 'failed' ? `Change could not be made: ${what}` : `Change took effect: ${what}`;
  }
  if (kind === 'factor_enabled' || kind === 'factor_disabled') {
    const factor = factorNames[String(details.factor)] ?? 'A second factor';
    return `${factor} turned ${kind === 'factor_enabled' ? 'on' : 'off'}`;
  }
  return eventNames[kind] ?? kind.replace(/_/g, ' ');
}

const clientNames: Record<string, string> = { rest: 'web or API', ddp: 'Meteor app', backendless: 'Backendless app' };
export const clientName = (client: string | null) => (client ? (clientNames[client] ?? client) : 'unknown client');

/** "Firefox on Android" from a user agent, or the start of it. */
export function device(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : '';
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : '';
  if (browser && os) return `${browser} on ${os}`;
  return browser || os || userAgent.slice(0, 48);
}

/** A TOTP secret as people type it: groups of four. */
export const groupsOfFour = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

export const pendingChangeText = (change: PendingFactorChange) => pendingWords[change.kind];

/** What a card says when the server held its change (`pendingUntil`) instead of making it. */
export const heldText = (what: string, pendingUntil: string) =>
  `${what} takes effect on ${formatTime(pendingUntil)}. Until then nothing changes; we emailed you about it (see “Pending changes”).`;
