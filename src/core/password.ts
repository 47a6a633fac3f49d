import { hash, verify } from '@node-rs/argon2';
import { sha256Hex } from './crypto/hash.ts';

/**
 * Passwords are stored as argon2id over the hex SHA-256 of the password. Meteor/DDP clients send
 * exactly that digest instead of the password, so both kinds of login check one stored hash
 * (and argon2's input stays short whatever the password length).
 * Parameters: OWASP Password Storage Cheat Sheet, argon2id m=19 MiB, t=2, p=1.
 */
// The package's `Algorithm` is a const enum with no runtime object; 2 is its Argon2id.
const argon2id = 2;
const argon2Options = { algorithm: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const passwordPolicy = { minLength: 8, maxLength: 256 } as const;

export type PasswordProblem = 'empty' | 'too_short' | 'too_long';

/** NIST SP 800-63B 5.1.1.2: a length rule, no composition rules; length counted in code points. */
export function checkPasswordPolicy(password: string): PasswordProblem | null {
  const length = [...password].length;
  if (password.trim().length === 0) return 'empty';
  if (length < passwordPolicy.minLength) return 'too_short';
  if (length > passwordPolicy.maxLength) return 'too_long';
  return null;
}

export function passwordDigest(password: string): string {
  return sha256Hex(password);
}

export function hashPasswordDigest(digest: string): Promise<string> {
  return hash(digest, argon2Options);
}

export async function verifyPasswordDigest(storedHash: string, digest: string): Promise<boolean> {
  try {
    return await verify(storedHash, digest);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same argon2 time as a real check when the user does not exist, so response time
 * does not tell an attacker which identities are registered.
 */
export async function burnPasswordCheck(digest: string): Promise<false> {
  dummyHash ??= hashPasswordDigest(sha256Hex('twofold dummy password'));
  await verifyPasswordDigest(await dummyHash, digest);
  return false;
}
