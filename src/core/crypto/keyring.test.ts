import { describe, expect, it } from 'vitest';
import { createKeyRing, generateKeySpec, parseKeySpecs } from './keyring.ts';

const secret = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

describe('key ring', () => {
  it('seals a secret with AES-256-GCM under the active key, naming the key', () => {
    const ring = createKeyRing(parseKeySpecs(generateKeySpec('k1')));
    const sealed = ring.encrypt(secret, 'totp:1');
    expect(sealed).toMatch(/^v1\.k1\.[\w-]{16}\.[\w-]+$/);
    expect(ring.decrypt(sealed, 'totp:1')).toEqual(secret);
    expect(ring.encrypt(secret, 'totp:1')).not.toBe(sealed);
  });

  it('refuses a ciphertext moved to another context or tampered with', () => {
    const ring = createKeyRing(parseKeySpecs(generateKeySpec('k1')));
    const sealed = ring.encrypt(secret, 'totp:1');
    expect(() => ring.decrypt(sealed, 'totp:2')).toThrow();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0]! ^= 1;
    expect(() => ring.decrypt([...parts.slice(0, 3), body.toString('base64url')].join('.'), 'totp:1')).toThrow();
  });

  it('rotates: a new front key encrypts, older keys still decrypt', () => {
    const old = generateKeySpec('old');
    const sealed = createKeyRing(parseKeySpecs(old)).encrypt(secret, 'c');
    const rotated = createKeyRing(parseKeySpecs(`${generateKeySpec('new')},${old}`));
    expect(rotated.decrypt(sealed, 'c')).toEqual(secret);
    expect(rotated.keyIdOf(rotated.encrypt(secret, 'c'))).toBe('new');
    expect(rotated.keyIdOf(sealed)).toBe('old');
  });

  it('peppers low-entropy codes so a database alone cannot test guesses', () => {
    const ring = createKeyRing(parseKeySpecs(generateKeySpec('k1')));
    const stored = ring.hashCode('123456', 'email:u1');
    expect(stored).not.toContain('123456');
    expect(ring.verifyCode('123456', 'email:u1', stored)).toBe(true);
    expect(ring.verifyCode('123457', 'email:u1', stored)).toBe(false);
    expect(ring.verifyCode('123456', 'email:u2', stored)).toBe(false);
    const other = createKeyRing(parseKeySpecs(generateKeySpec('k1')));
    expect(other.verifyCode('123456', 'email:u1', stored)).toBe(false);
  });

  it('explains a malformed key ring', () => {
    expect(() => parseKeySpecs('')).toThrow(/at least one key/);
    expect(() => parseKeySpecs('nokey')).toThrow(/<id>:<base64/);
    expect(() => parseKeySpecs('k1:AAAA')).toThrow(/32 bytes/);
    const spec = generateKeySpec('k1');
    expect(() => parseKeySpecs(`${spec},${spec}`)).toThrow(/unique/);
  });
});
