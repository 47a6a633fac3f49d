import { describe, expect, it } from 'vitest';
import { StillClock, T0, testKeyRing, testUser } from '../../../test/core/fixtures.ts';
import { decodeBase32 } from '../otp/base32.ts';
import { generateTOTP } from '../otp/totp.ts';
import { keyUri, newAuthenticator, openSecret, totpStepOf } from './totp.ts';

/** A new authenticator: a 160-bit key sealed with the key ring, shown once as base32 and as an otpauth:// URI. */
describe('newAuthenticator', () => {
  const deps = { keyRing: testKeyRing(), clock: new StillClock(), issuer: 'twofold test' };
  const user = testUser({ email: 'ada@example.test' });

  it('makes a 20-byte key (RFC 4226 4), stored only sealed, bound to its credential id', () => {
    const { credential, secret } = newAuthenticator(deps, user, 'pending');
    const key = decodeBase32(secret);
    expect(key).toHaveLength(20);
    expect(credential).toMatchObject({ userId: user.id, state: 'pending', params: { algorithm: 'SHA1', digits: 6, periodSeconds: 30 }, lastUsedStep: null, createdAt: T0, activatedAt: null });
    expect(credential.secretSealed).not.toContain(secret);
    expect(Buffer.from(openSecret(deps, credential))).toEqual(Buffer.from(key));
    // Copied to another credential's row, the sealed key does not open.
    expect(() => openSecret(deps, { ...credential, id: 'another' })).toThrow();
  });

  it('starts armed when asked, with the parameters given', () => {
    const params = { algorithm: 'SHA256' as const, digits: 8, periodSeconds: 60 };
    const { credential, uri } = newAuthenticator(deps, user, 'armed', params);
    expect(credential.state).toBe('armed');
    expect(credential.params).toEqual(params);
    expect(uri).toContain('algorithm=SHA256');
    expect(uri).toContain('digits=8');
    expect(uri).toContain('period=60');
  });

  it('shows the key as an otpauth:// URI naming the issuer and the account', () => {
    const { secret, uri } = newAuthenticator(deps, user, 'pending');
    expect(uri).toMatch(/^otpauth:\/\/totp\/twofold%20test:ada%40example\.test\?/);
    expect(new URL(uri).searchParams.get('secret')).toBe(secret);
    expect(new URL(uri).searchParams.get('issuer')).toBe('twofold test');
    expect(keyUri(deps, user, decodeBase32(secret), { algorithm: 'SHA1', digits: 6, periodSeconds: 30 })).toBe(uri);
  });

  it("finds the step of the new key's codes, one step of drift either side", () => {
    const { credential, secret } = newAuthenticator(deps, user, 'pending');
    const at = (offset: number) => generateTOTP(decodeBase32(secret), T0.getTime() + offset * 30_000);
    const step = Math.floor(T0.getTime() / 30_000);
    expect([-1, 0, 1].map((offset) => totpStepOf(deps, credential, at(offset)))).toEqual([step - 1, step, step + 1]);
    expect(totpStepOf(deps, credential, at(2))).toBeNull();
  });
});
