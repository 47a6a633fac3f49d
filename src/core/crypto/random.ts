import { randomBytes, randomInt } from 'node:crypto';

/** An opaque bearer secret (session token, transaction id, link token): 256 bits, base64url. */
export function generateToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** `length` decimal digits from a CSPRNG, leading zeros kept (ASVS 2.7.6: at least 20 bits for 6 digits). */
export function generateDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

/** `length` characters drawn uniformly from `alphabet` (no modulo bias: randomInt rejects internally). */
export function generateFromAlphabet(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}
