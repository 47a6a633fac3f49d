import { createHash, createHmac } from 'node:crypto';

export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

const HMAC_NAMES: Readonly<Record<OtpAlgorithm, string>> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

// Doubles as the digits check: 6.5, 9 or NaN find no modulus.
const MODULUS_BY_DIGITS: Readonly<Record<number, number>> = { 6: 1_000_000, 7: 10_000_000, 8: 100_000_000 };

/** RFC 4226 HOTP as an integer: dynamic truncation (section 5.3), then modulo 10^digits. */
export function hotpValue(key: Uint8Array, counter: number, digits: number, algorithm: OtpAlgorithm): number {
  return hotpSequence(key, digits, algorithm)(counter);
}

export function generateHOTP(key: Uint8Array, counter: number, digits = 6, algorithm: OtpAlgorithm = 'SHA1'): string {
  return String(hotpValue(key, counter, digits, algorithm)).padStart(digits, '0');
}

/**
 * HOTP values of one key for any number of counters (a TOTP window checks several). The key-dependent
 * work is done once; with SHA-1, the default of every authenticator app, each further counter then costs
 * two SHA-1 blocks computed right here (see below) instead of a fresh node:crypto HMAC object.
 */
export function hotpSequence(key: Uint8Array, digits: number, algorithm: OtpAlgorithm): (counter: number) => number {
  const modulus = MODULUS_BY_DIGITS[digits];
  if (modulus === undefined) throw new RangeError(`HOTP codes have 6 to 8 digits, not ${digits}`);
  const hmacName = HMAC_NAMES[algorithm];
  if (hmacName === undefined) throw new RangeError(`unknown HOTP algorithm ${String(algorithm)}`);

  if (algorithm === 'SHA1') {
    const pads = sha1KeyPads(key);
    return (counter) => {
      checkCounter(counter);
      // The counter is 8 bytes big-endian; two 32-bit halves avoid BigInt. Division, not >>>, for the
      // high half: bit operators would wrap counters past 2^32.
      return sha1CounterTruncated(pads, Math.floor(counter / 0x1_0000_0000), counter >>> 0) % modulus;
    };
  }
  const counterBytes = Buffer.alloc(8);
  return (counter) => {
    checkCounter(counter);
    counterBytes.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), 0);
    counterBytes.writeUInt32BE(counter >>> 0, 4);
    const mac = createHmac(hmacName, key).update(counterBytes).digest();
    const offset = mac[mac.length - 1]! & 0x0f;
    // The top bit is dropped so that signed and unsigned readers everywhere agree on the number.
    return (mac.readUInt32BE(offset) & 0x7fff_ffff) % modulus;
  };
}

function checkCounter(counter: number): void {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError(`HOTP counter ${counter} is not a non-negative safe integer`);
}

/*
 * HMAC-SHA-1 (RFC 2104, FIPS 180-4) of an 8-byte counter, for HOTP.
 *
 * HMAC(K, m) = SHA1((K ^ opad) || SHA1((K ^ ipad) || m)). The padded key fills exactly one 64-byte
 * block, so the SHA-1 states after the ipad block and after the opad block depend on the key alone:
 * they are computed once per key. An 8-byte counter then fits the inner hash's one remaining block,
 * and the 20-byte inner digest the outer hash's one remaining block: two compressions per counter.
 * node:crypto would redo the key blocks and build an HMAC object (and cross into C++) for every counter.
 *
 * The compression uses only 32-bit additions, rotations and bitwise functions, with no branch or
 * table lookup that depends on the data, so its timing does not depend on the key.
 * The tests check it against RFC 4226/6238 vectors, node:crypto (keys of 1 to 99 bytes) and oathtool.
 */

const SHA1_INIT = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0);
const BLOCK_BYTES = 64;
const PAD_BIT = 0x80000000 | 0;
/** Message lengths in bits, key block included: inner = 64 + 8 bytes, outer = 64 + 20 bytes. */
const INNER_BITS = (BLOCK_BYTES + 8) * 8;
const OUTER_BITS = (BLOCK_BYTES + 20) * 8;

// Scratch for the synchronous functions below: the message schedule and the two digests.
const schedule = new Int32Array(80);
const digest = new Int32Array(5);

/** The SHA-1 states after (K ^ ipad) at [0, 5) and after (K ^ opad) at [5, 10). */
function sha1KeyPads(key: Uint8Array): Int32Array {
  // RFC 2104 section 2: a key longer than the block is replaced by its hash.
  const k = key.length > BLOCK_BYTES ? createHash('sha1').update(key).digest() : key;
  const pads = new Int32Array(10);
  sha1KeyBlock(k, 0x36);
  sha1Compress(SHA1_INIT, 0, pads, 0);
  sha1KeyBlock(k, 0x5c);
  sha1Compress(SHA1_INIT, 0, pads, 5);
  return pads;
}

/** Loads the key, zero-filled to a block and XORed with `pad`, into the schedule as big-endian words. */
function sha1KeyBlock(k: Uint8Array, pad: number): void {
  for (let word = 0; word < 16; word++) {
    let value = 0;
    for (let byte = word * 4; byte < word * 4 + 4; byte++) value = (value << 8) | ((byte < k.length ? k[byte]! : 0) ^ pad);
    schedule[word] = value;
  }
}

/** HMAC-SHA-1 of the counter (hi, lo), dynamically truncated to 31 bits (RFC 4226 5.3). */
function sha1CounterTruncated(pads: Int32Array, hi: number, lo: number): number {
  schedule[0] = hi;
  schedule[1] = lo;
  schedule[2] = PAD_BIT;
  schedule.fill(0, 3, 15);
  schedule[15] = INNER_BITS;
  sha1Compress(pads, 0, digest, 0);

  schedule.set(digest, 0);
  schedule[5] = PAD_BIT;
  schedule.fill(0, 6, 15);
  schedule[15] = OUTER_BITS;
  sha1Compress(pads, 5, digest, 0);

  // The offset is the low nibble of the digest's last byte; read 4 bytes from there across two words.
  const offset = digest[4]! & 0x0f;
  const word = offset >>> 2;
  const shift = (offset & 3) * 8;
  const bits = shift === 0 ? digest[word]! : (digest[word]! << shift) | (digest[word + 1]! >>> (32 - shift));
  return bits & 0x7fff_ffff;
}

/** One SHA-1 compression of schedule[0..16) onto the state at `from[fromAt..+5)`, written to `to[toAt..+5)`. */
function sha1Compress(from: Int32Array, fromAt: number, to: Int32Array, toAt: number): void {
  const w = schedule;
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = from[fromAt]!;
  let b = from[fromAt + 1]!;
  let c = from[fromAt + 2]!;
  let d = from[fromAt + 3]!;
  let e = from[fromAt + 4]!;
  for (let t = 0; t < 20; t++) {
    const next = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + w[t]! + 0x5a827999) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  for (let t = 20; t < 40; t++) {
    const next = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + w[t]! + 0x6ed9eba1) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  for (let t = 40; t < 60; t++) {
    const next = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + w[t]! + (0x8f1bbcdc | 0)) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  for (let t = 60; t < 80; t++) {
    const next = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + w[t]! + (0xca62c1d6 | 0)) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  to[toAt] = (from[fromAt]! + a) | 0;
  to[toAt + 1] = (from[fromAt + 1]! + b) | 0;
  to[toAt + 2] = (from[fromAt + 2]! + c) | 0;
  to[toAt + 3] = (from[fromAt + 3]! + d) | 0;
  to[toAt + 4] = (from[fromAt + 4]! + e) | 0;
}
