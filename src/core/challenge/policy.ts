/**
 * The one policy table: for each operation, what proof is enough. Every path that checks a second factor
 * (completing a sign-in, changing a factor or the password, an app's own step-up, a façade's variant of a
 * product's documented call) asks `challenge.require` with a row of this table; nothing else decides.
 *
 * Words used below:
 * - an *answer* is given with the request (a code, a key's assertion, the password);
 * - the *window* is STEP_UP_WINDOW_SECONDS: an answer this session gave that long ago still counts;
 * - *remember-for* is Rocket.Chat's grace (same session, IP and user agent; never for weakening operations).
 */
import type { ChallengeMethod } from './factors.ts';

/** What a session's history may stand in for an answer, for a user who has a factor. */
export type SessionRule =
  /** Nothing: an answer with every request. */
  | 'answer'
  /** A factor answered in this session within the window (a remembered-device session never has one). */
  | 'window'
  /** A factor answered in this session at any time, e.g. at sign-in (the Backendless seed's variant). */
  | 'signed-in-with-factor'
  /** Rocket.Chat's remember-for: a factor answered from the same IP and user agent within REMEMBER_FOR. */
  | 'remember-for';

/** For a user with no factor: the password (answered now, or at sign-in / a step-up within the window), or nothing. */
export type NoFactorRule = 'password-answer' | 'password-window' | 'nothing';

/** Any answer of a factor the user has proves a row (backup codes stand for their authenticator). */
export interface PolicyRow {
  withFactor: SessionRule;
  withoutFactor: NoFactorRule;
  /** Weakens the account if done by someone else (turning a factor off, ...): shown in challenges and docs. */
  weakens: boolean;
}

export type OperationName =
  | 'enrol-authenticator'
  | 'enable-email-codes'
  | 'add-passkey'
  | 'disable-authenticator'
  | 'disable-email-codes'
  | 'remove-passkey'
  | 'regenerate-backup-codes'
  | 'change-password'
  | 'change-email'
  | 'revoke-other-sessions'
  | 'backendless.enable-2fa'
  | 'backendless.disable-2fa';

/** An embedding app's (or REST step-up caller's) own operation, checked like Rocket.Chat's protected methods. */
export interface AppOperation {
  name: string;
  /** Weakens the account: an answer every time, never a grace. */
  weakensAccount?: boolean;
  /** Users without any factor prove themselves with their password (Rocket.Chat's fallback); else they pass. */
  passwordFallback?: boolean;
}

export type Operation = OperationName | AppOperation;

/** How strictly the Backendless seed's parameterless enable2FA / disable2FA are held (BACKENDLESS_2FA_CHANGE_PROOF). */
export type BackendlessChangeProof = 'session' | 'recent' | 'code';

/**
 * Changing what protects the account needs a proof of an existing factor: recent in this session or given
 * now (security.md threat 8). A user with no factor yet proves the password.
 */
const FACTOR_CHANGE: PolicyRow = { withFactor: 'window', withoutFactor: 'password-window', weakens: true };

export function policyTable(options: { backendlessChangeProof: BackendlessChangeProof }): Record<OperationName, PolicyRow> {
  const backendless = backendlessRow(options.backendlessChangeProof);
  return {
    // Adding a factor: a stolen session must not add its owner-to-be's authenticator or key.
    'enrol-authenticator': { ...FACTOR_CHANGE, weakens: false },
    'enable-email-codes': { ...FACTOR_CHANGE, weakens: false },
    'add-passkey': { ...FACTOR_CHANGE, weakens: false },
    'disable-authenticator': FACTOR_CHANGE,
    'disable-email-codes': FACTOR_CHANGE,
    'remove-passkey': FACTOR_CHANGE,
    'regenerate-backup-codes': FACTOR_CHANGE,
    'change-password': FACTOR_CHANGE,
    'change-email': FACTOR_CHANGE,
    'revoke-other-sessions': { ...FACTOR_CHANGE, weakens: false },
    // The seed's calls take no parameters: by default, signing in with the factor is the proof.
    'backendless.enable-2fa': { ...backendless, weakens: false },
    'backendless.disable-2fa': backendless,
  };
}

/**
 * The Backendless seed's enable2FA / disable2FA: `session` (default) accepts a session that signed in with its
 * second factor, and lets a user without one turn 2FA on (the seed's "enable2FA turns it on"); `recent` asks for
 * a factor (or the password) within the window; `code` for an answer every time. `{code}` is always accepted.
 */
function backendlessRow(strictness: BackendlessChangeProof): PolicyRow {
  if (strictness === 'code') return { withFactor: 'answer', withoutFactor: 'password-answer', weakens: true };
  if (strictness === 'recent') return { withFactor: 'window', withoutFactor: 'password-window', weakens: true };
  return { withFactor: 'signed-in-with-factor', withoutFactor: 'nothing', weakens: true };
}

/** An app's operation as a row: Rocket.Chat's remember-for unless it weakens the account. */
export function appRow(operation: AppOperation): PolicyRow {
  return {
    withFactor: operation.weakensAccount ? 'answer' : 'remember-for',
    withoutFactor: operation.passwordFallback ? 'password-answer' : 'nothing',
    weakens: operation.weakensAccount ?? false,
  };
}

/** The name an operation is audited under. */
export const operationName = (operation: Operation) => (typeof operation === 'string' ? operation : operation.name);

/** The method a challenge names for a row, given what the user has (null: nothing to ask). */
export function challengeMethodFor(row: PolicyRow, available: readonly ChallengeMethod[]): ChallengeMethod | null {
  if (available.length > 0) return available[0]!;
  return row.withoutFactor === 'nothing' ? null : 'password';
}
