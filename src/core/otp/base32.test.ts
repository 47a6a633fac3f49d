import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase32, encodeBase32 } from './base32.ts';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

describe('base32 (RFC 4648)', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('encodes %j as %j (section 10 vectors, without padding) and back', (plain, encoded) => {
    expect(encodeBase32(Buffer.from(plain))).toBe(encoded);
    expect(text(decodeBase32(encoded))).toBe(plain);
  });

  it('accepts the padded forms of section 10 as well', () => {
    expect(text(decodeBase32('MY======'))).toBe('f');
    expect(text(decodeBase32('MZXQ===='))).toBe('fo');
    expect(text(decodeBase32('MZXW6==='))).toBe('foo');
    expect(text(decodeBase32('MZXW6YQ='))).toBe('foob');
  });

  it('round-trips random byte strings of every length up to 70', () => {
    for (let length = 0; length <= 70; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      const encoded = encodeBase32(bytes);
      expect(encoded).toMatch(/^[A-Z2-7]*$/);
      expect(decodeBase32(encoded)).toEqual(bytes);
    }
  });

  it('reads secrets as people type them: lower case, spaces and hyphens', () => {
    expect(text(decodeBase32('mzxw 6ytb-oi'))).toBe('foobar');
    const bytes = new Uint8Array(randomBytes(20));
    const grouped = encodeBase32(bytes).toLowerCase().replace(/(.{4})/g, '$1 ');
    expect(decodeBase32(grouped)).toEqual(bytes);
    expect(decodeBase32(' - ')).toEqual(new Uint8Array(0));
  });

  it.each([
    ['a digit outside 2-7', 'MZXW1'],
    ['padding in the middle', 'MZ=XW6YTB'],
    ['a tab', 'MZXW\t6YTB'],
    ['a newline', 'MZXW6YTB\n'],
    ['a German sharp s, which upper-cases to "SS"', 'MZXWßYTB'],
    ['a dotless i, which upper-cases to "I"', 'MZXWıYTB'],
    ['a full-width letter', 'MZXWＡYTB'],
  ])('rejects %s', (_, input) => {
    expect(() => decodeBase32(input)).toThrow(RangeError);
  });

  it.each(['M', 'MZX', 'MZXW6Y', 'MZXW6YTBO'])('rejects %j: no byte string has that length', (input) => {
    expect(() => decodeBase32(input)).toThrow(RangeError);
  });

  it('never allows a random non-alphabet character through', () => {
    for (let i = 0; i < 200; i++) {
      const char = String.fromCharCode(randomInt(0, 0x3000));
      if (/[A-Za-z2-7 -]/.test(char)) continue;
      expect(() => decodeBase32(`MZXW${char}YTB`), JSON.stringify(char)).toThrow(RangeError);
    }
  });
});
