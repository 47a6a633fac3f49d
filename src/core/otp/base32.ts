const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// Indexed by UTF-16 code unit. Only ASCII is listed, so no other script's look-alike (or a letter
// such as "ß" that upper-cases into two ASCII letters) can slip through a case conversion.
const SYMBOL_VALUES: Int8Array = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let value = 0; value < ALPHABET.length; value++) {
    values[ALPHABET.charCodeAt(value)] = value;
    values[ALPHABET.toLowerCase().charCodeAt(value)] = value;
  }
  return values;
})();

/** RFC 4648 base32, upper case, no padding: the form authenticator apps and otpauth:// URIs use. */
export function encodeBase32(bytes: Uint8Array): string {
  let text = '';
  let pending = 0;
  let pendingBits = 0;
  for (const byte of bytes) {
    pending = ((pending << 8) | byte) & 0xfff; // bits already written are dropped; 4 + 8 may wait
    pendingBits += 8;
    while (pendingBits >= 5) {
      pendingBits -= 5;
      text += ALPHABET[(pending >>> pendingBits) & 31];
    }
  }
  if (pendingBits > 0) text += ALPHABET[(pending << (5 - pendingBits)) & 31];
  return text;
}

/** Reads base32 as people type it: either case, spaces and hyphens ignored, trailing padding optional. */
export function decodeBase32(text: string): Uint8Array {
  const symbols = text.replace(/[ -]/g, '').replace(/=+$/, '');
  // 1, 3 or 6 symbols past a whole block carry fewer than 8 bits: no byte string encodes that way.
  const leftover = symbols.length % 8;
  if (leftover === 1 || leftover === 3 || leftover === 6) throw new RangeError('base32 text has an impossible length');

  const bytes = new Uint8Array(Math.floor((symbols.length * 5) / 8));
  let written = 0;
  let pending = 0;
  let pendingBits = 0;
  for (let i = 0; i < symbols.length; i++) {
    const code = symbols.charCodeAt(i);
    const value = code < 128 ? SYMBOL_VALUES[code]! : -1;
    if (value < 0) throw new RangeError(`${JSON.stringify(symbols[i])} is not a base32 character`);
    pending = ((pending << 5) | value) & 0xfff; // bits already written are dropped; 7 + 5 may wait
    pendingBits += 5;
    if (pendingBits >= 8) {
      pendingBits -= 8;
      bytes[written++] = (pending >>> pendingBits) & 0xff;
    }
  }
  return bytes;
}
