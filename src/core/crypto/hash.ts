import { createHash } from 'node:crypto';

/**
 * Lookup hash of a high-entropy bearer secret (session token, transaction id, link token).
 * A plain SHA-256 suffices: with 256 random bits there is nothing to brute-force, and the
 * database then never holds a usable token.
 */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
