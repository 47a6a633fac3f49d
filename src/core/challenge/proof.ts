import { TwofoldError } from '../errors.ts';
import { BACKUP_CODE_ALPHABET, BACKUP_CODE_LENGTH } from '../factors/backup-codes.ts';
import { passwordDigest } from '../password.ts';

/**
 * What a caller offers as proof, parsed once where it enters the core. Past `parseProof` nothing in the
 * core sees raw input: a proof is one of these, or null (nothing offered).
 */
export type Proof =
  /** A code typed without naming its factor: the user's authenticator, backup or email code, whichever they use. */
  | { kind: 'code'; code: string }
  /** An authenticator code, or one of its backup codes (Rocket.Chat's `totp` method takes both). */
  | { kind: 'totp'; code: string }
  | { kind: 'backup'; code: string }
  | { kind: 'email'; code: string }
  /** A browser's answer to WebAuthn options; null when the caller named the method but sent no usable answer. */
  | { kind: 'webauthn'; response: WebAuthnAnswer | null }
  /** The password, as the hex SHA-256 every stored hash is built on. */
  | { kind: 'password'; digest: string }
  /** No answer now: the asking session offers what it proved recently. */
  | { kind: 'recent'; sessionId: string };

export type ProofKind = Proof['kind'];

/** An `AuthenticationResponseJSON` as far as the core relies on its shape; the library checks the rest. */
export interface WebAuthnAnswer {
  id: string;
  [member: string]: unknown;
}

/** Raw fields as façades receive them (JSON body, DDP argument, headers). */
export interface RawProof {
  code?: unknown;
  method?: unknown;
  webauthn?: unknown;
  password?: unknown;
}

export interface ParseOptions {
  /** How a `password` method's code is written: Meteor and Rocket.Chat clients send its hex SHA-256; people type it. */
  passwordCode: 'digest' | 'plain';
  /** The asking session, offered as a recent proof when the request carries no answer. */
  sessionId?: string | null;
}

const MAX_CODE_LENGTH = 64;
const MAX_PASSWORD_LENGTH = 4096;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const OTP_DIGITS = /^[0-9]{6,8}$/;
const NAMED_METHODS = new Set(['totp', 'backup', 'email', 'webauthn', 'password']);

/**
 * Reads a proof as people and clients write it: codes with spaces or hyphens ("123 456", "ABCD-EFGH"),
 * backup codes in any case, a JSON number for digits. Malformed input is a typed error (a typing slip, never
 * a counted guess). A method name the core does not know is treated as unnamed.
 */
export function parseProof(raw: RawProof, options: ParseOptions): Proof | null {
  const method = typeof raw.method === 'string' && NAMED_METHODS.has(raw.method) ? raw.method : null;
  if (method === 'webauthn' || (method === null && raw.webauthn !== undefined && raw.webauthn !== null)) {
    return { kind: 'webauthn', response: webauthnAnswer(raw.webauthn ?? raw.code) };
  }
  if (method === 'password' || (method === null && raw.password !== undefined && raw.password !== null && raw.password !== '')) {
    return { kind: 'password', digest: passwordDigestOf(raw.password ?? raw.code, raw.password !== undefined ? 'plain' : options.passwordCode) };
  }
  if (absent(raw.code)) return options.sessionId ? { kind: 'recent', sessionId: options.sessionId } : null;
  const text = codeText(raw.code);
  if (method === 'email') return { kind: 'email', code: emailDigits(text) };
  const compact = text.replace(/[\s-]/g, '');
  if (compact === '') throw new TwofoldError('code_required');
  const backup = backupShape(compact);
  if (method === 'backup') {
    if (!backup) throw malformed();
    return { kind: 'backup', code: backup };
  }
  if (!OTP_DIGITS.test(compact) && !backup) throw malformed();
  const code = OTP_DIGITS.test(compact) ? compact : backup!;
  return method === 'totp' ? { kind: 'totp', code } : { kind: 'code', code };
}

/** Email codes are mailed as `123-456`; any non-digit typed along is ignored (Rocket.Chat does the same). */
function emailDigits(text: string): string {
  const digits = text.replace(/\D/g, '');
  if (digits === '') throw new TwofoldError('code_required');
  if (digits.length !== 6) throw malformed();
  return digits;
}

/** A string as typed, or a JSON number's digits with the leading zeros a number loses (six-digit codes). */
function codeText(raw: unknown): string {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return String(raw).padStart(6, '0');
  if (typeof raw === 'string' && raw.length <= MAX_CODE_LENGTH) return raw;
  throw malformed();
}

/** The upper-cased code when it is written in the backup-code alphabet, else null. */
export function backupShape(compact: string): string | null {
  const upper = compact.toUpperCase();
  return upper.length === BACKUP_CODE_LENGTH && [...upper].every((c) => BACKUP_CODE_ALPHABET.includes(c)) ? upper : null;
}

function passwordDigestOf(raw: unknown, written: 'digest' | 'plain'): string {
  if (typeof raw !== 'string' || raw === '') throw new TwofoldError('code_required');
  if (written === 'plain') {
    if (raw.length > MAX_PASSWORD_LENGTH) throw malformed();
    return passwordDigest(raw);
  }
  const digest = raw.toLowerCase();
  if (!HEX_SHA256.test(digest)) throw new TwofoldError('code_malformed', { expected: 'the hex SHA-256 of the password' });
  return digest;
}

function webauthnAnswer(raw: unknown): WebAuthnAnswer | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= 1024 ? (raw as WebAuthnAnswer) : null;
}

const absent = (value: unknown) => value === undefined || value === null || value === '';
const malformed = () => new TwofoldError('code_malformed', { expected: `6 to 8 digits or an ${BACKUP_CODE_LENGTH}-character backup code` });
