import { TwofoldError } from '../errors.ts';

/** Backup codes avoid look-alikes (0/O, 1/I/L) so they survive being written down and typed back. */
export const BACKUP_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const BACKUP_CODE_LENGTH = 8;

/** What a typed code could be: a one-time password, a backup code, or (for 8-digit TOTP) either. */
export interface CodeCandidates {
  otp?: string;
  backup?: string;
}

/**
 * Reads a code as users type it: spaces and hyphens ignored ("123 456", "ABCD-EFGH"), backup codes in
 * any case, a JSON number padded back to its digits. Anything else is a typed error, not a guess.
 */
export function parseCodeInput(raw: unknown, otpDigits: number): CodeCandidates {
  if (raw === undefined || raw === null || raw === '') throw new TwofoldError('code_required');
  let text: string;
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) text = String(raw).padStart(otpDigits, '0');
  else if (typeof raw === 'string' && raw.length <= 64) text = raw;
  else throw new TwofoldError('code_malformed');
  const compact = text.replace(/[\s-]/g, '');
  if (compact === '') throw new TwofoldError('code_required');
  const candidates: CodeCandidates = {};
  if (/^[0-9]+$/.test(compact) && compact.length === otpDigits) candidates.otp = compact;
  const upper = compact.toUpperCase();
  if (upper.length === BACKUP_CODE_LENGTH && [...upper].every((c) => BACKUP_CODE_ALPHABET.includes(c))) candidates.backup = upper;
  if (!candidates.otp && !candidates.backup) {
    throw new TwofoldError('code_malformed', { expected: `${otpDigits} digits or an ${BACKUP_CODE_LENGTH}-character backup code` });
  }
  return candidates;
}
