import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, hashPasswordDigest, passwordDigest, verifyPasswordDigest } from './password.ts';

describe('passwords', () => {
  it('are stored as argon2id over their SHA-256 digest', async () => {
    const stored = await hashPasswordDigest(passwordDigest('DontDrinkAndDrive'));
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPasswordDigest(stored, passwordDigest('DontDrinkAndDrive'))).toBe(true);
    expect(await verifyPasswordDigest(stored, passwordDigest('dontdrinkanddrive'))).toBe(false);
    expect(await verifyPasswordDigest('not a hash', passwordDigest('x'))).toBe(false);
  });

  it('follow a length-only policy (NIST SP 800-63B): 8 to 256 code points', () => {
    expect(checkPasswordPolicy('1234567')).toBe('too_short');
    expect(checkPasswordPolicy('12345678')).toBeNull();
    expect(checkPasswordPolicy('🔑🔑🔑🔑🔑🔑🔑🔑')).toBeNull();
    expect(checkPasswordPolicy('         ')).toBe('empty');
    expect(checkPasswordPolicy('x'.repeat(257))).toBe('too_long');
  });
});
