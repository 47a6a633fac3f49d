import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeBase32 } from './base32.ts';
import { createTOTPKeyURI, parseTOTPKeyURI } from './key-uri.ts';
import { defaultTotpParams, type TotpParams } from './totp.ts';

const secret = new TextEncoder().encode('12345678901234567890'); // GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ

describe('createTOTPKeyURI', () => {
  it('writes the Key URI Format authenticator apps read, parameters in a fixed order', () => {
    expect(createTOTPKeyURI({ issuer: 'Example', accountName: 'alice@google.com', secret })).toBe(
      'otpauth://totp/Example:alice%40google.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('percent-encodes issuer and account name, keeping the colon between them literal', () => {
    expect(createTOTPKeyURI({ issuer: 'ACME Co', accountName: 'jack smith@example.org', secret })).toBe(
      'otpauth://totp/ACME%20Co:jack%20smith%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30',
    );
    expect(createTOTPKeyURI({ issuer: 'A&B=C?', accountName: 'x:y/z#', secret })).toMatch(
      /^otpauth:\/\/totp\/A%26B%3DC%3F:x%3Ay%2Fz%23\?secret=[A-Z2-7]+&issuer=A%26B%3DC%3F&/,
    );
  });

  it('writes the credential’s own parameters', () => {
    const params: TotpParams = { algorithm: 'SHA256', digits: 8, periodSeconds: 60 };
    expect(createTOTPKeyURI({ issuer: 'twofold', accountName: 'bob', secret, params })).toBe(
      'otpauth://totp/twofold:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=twofold&algorithm=SHA256&digits=8&period=60',
    );
  });

  it('refuses an issuer with a colon, which would read as the separator', () => {
    expect(() => createTOTPKeyURI({ issuer: 'a:b', accountName: 'x', secret })).toThrow(RangeError);
  });
});

describe('parseTOTPKeyURI', () => {
  it('round-trips everything createTOTPKeyURI writes', () => {
    for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
      const original = {
        issuer: 'ACME Co & Sons',
        accountName: 'a b+c@d.test:x',
        secret: new Uint8Array(randomBytes(20)),
        params: { algorithm, digits: 8, periodSeconds: 60 },
      };
      expect(parseTOTPKeyURI(createTOTPKeyURI(original))).toEqual(original);
    }
  });

  it('fills in the format’s defaults for missing parameters', () => {
    expect(parseTOTPKeyURI('otpauth://totp/Example:alice@google.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')).toEqual({
      issuer: 'Example',
      accountName: 'alice@google.com',
      secret,
      params: defaultTotpParams,
    });
  });

  it('reads labels other generators write: encoded colon, spaces after it, no issuer at all', () => {
    const query = `?secret=${encodeBase32(secret)}`;
    expect(parseTOTPKeyURI(`otpauth://totp/Example%3a%20alice${query}`)).toMatchObject({ issuer: 'Example', accountName: 'alice' });
    expect(parseTOTPKeyURI(`otpauth://totp/Example:%20%20alice${query}`)).toMatchObject({ issuer: 'Example', accountName: 'alice' });
    expect(parseTOTPKeyURI(`otpauth://totp/alice${query}`)).toMatchObject({ issuer: '', accountName: 'alice' });
    expect(parseTOTPKeyURI(`otpauth://totp/alice${query}&issuer=Example`)).toMatchObject({ issuer: 'Example', accountName: 'alice' });
  });

  it('reads lower-case and padded secrets and lower-case algorithms', () => {
    const parsed = parseTOTPKeyURI('OTPAUTH://TOTP/x:y?secret=mzxw6ytboi======&algorithm=sha512&digits=7&period=45');
    expect(Buffer.from(parsed.secret).toString()).toBe('foobar');
    expect(parsed.params).toEqual({ algorithm: 'SHA512', digits: 7, periodSeconds: 45 });
  });

  it.each([
    ['another scheme', 'https://example.org/totp/x?secret=GEZDGNBV'],
    ['an HOTP key', 'otpauth://hotp/x:y?secret=GEZDGNBV&counter=0'],
    ['no query', 'otpauth://totp/x:y'],
    ['no secret', 'otpauth://totp/x:y?issuer=x'],
    ['an empty secret', 'otpauth://totp/x:y?secret='],
    ['a secret that is not base32', 'otpauth://totp/x:y?secret=GEZ1GNBV'],
    ['an unknown algorithm', 'otpauth://totp/x:y?secret=GEZDGNBV&algorithm=MD5'],
    ['digits out of range', 'otpauth://totp/x:y?secret=GEZDGNBV&digits=10'],
    ['digits that are not a number', 'otpauth://totp/x:y?secret=GEZDGNBV&digits=six'],
    ['a zero period', 'otpauth://totp/x:y?secret=GEZDGNBV&period=0'],
    ['a fractional period', 'otpauth://totp/x:y?secret=GEZDGNBV&period=1.5'],
    ['malformed percent-encoding', 'otpauth://totp/x:%E0%A4?secret=GEZDGNBV'],
  ])('refuses %s', (_, uri) => {
    expect(() => parseTOTPKeyURI(uri)).toThrow(RangeError);
  });
});
