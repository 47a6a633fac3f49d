import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { constantTimeEqual } from './constant-time.ts';

/**
 * AES-256-GCM key ring for secrets at rest (TOTP keys) and the pepper for low-entropy codes.
 * The first key encrypts; every key decrypts. Each ciphertext names its key id, so keys rotate
 * without a flag day: add a key in front, re-encrypt, retire the old one.
 *
 * Ciphertext text form: `v1.<keyId>.<iv b64url>.<ciphertext+tag b64url>`.
 */
export interface KeyRing {
  readonly activeKeyId: string;
  readonly keyIds: readonly string[];
  encrypt(plaintext: Uint8Array, context: string): string;
  decrypt(sealed: string, context: string): Uint8Array;
  /** Key id a sealed value was encrypted under (for rotation). */
  keyIdOf(sealed: string): string;
  /** Peppered hash of a low-entropy code (email code, backup code): `<keyId>$<hex>`. */
  hashCode(code: string, context: string): string;
  verifyCode(code: string, context: string, stored: string): boolean;
  /** The code's hash under every key of the ring, for an equality lookup that survives rotation. */
  hashCodeAllKeys(code: string, context: string): string[];
  /** 32 bytes derived from a key of the ring (the active one by default) for one named purpose (HKDF-SHA-256). */
  derive(purpose: string, keyId?: string): Buffer;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export interface KeySpec {
  id: string;
  key: Buffer;
}

/** Parses `id:base64key[,id:base64key...]`; each key must be exactly 32 bytes. Throws with a readable reason. */
export function parseKeySpecs(text: string): KeySpec[] {
  const specs = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const colon = part.indexOf(':');
      if (colon < 1) throw new Error('each key must be written as <id>:<base64 of 32 bytes>');
      const id = part.slice(0, colon);
      if (!KEY_ID.test(id)) throw new Error(`key id "${id}" may use only letters, digits, _ and - (at most 32)`);
      const key = Buffer.from(part.slice(colon + 1), 'base64');
      if (key.length !== 32) throw new Error(`key "${id}" must decode to 32 bytes, got ${key.length}`);
      return { id, key };
    });
  if (specs.length === 0) throw new Error('at least one key is required');
  const ids = new Set(specs.map((s) => s.id));
  if (ids.size !== specs.length) throw new Error('key ids must be unique');
  return specs;
}

export function generateKeySpec(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export function createKeyRing(specs: KeySpec[]): KeyRing {
  const active = specs[0];
  if (!active) throw new Error('key ring needs at least one key');
  const keys = new Map(specs.map((s) => [s.id, s.key]));
  // Separate sub-keys per purpose, so the encryption key is never used as an HMAC key.
  const peppers = new Map(
    specs.map((s) => [s.id, Buffer.from(hkdfSync('sha256', s.key, Buffer.alloc(0), 'twofold code pepper v1', 32))]),
  );

  function keyFor(id: string, from: Map<string, Buffer>): Buffer {
    const key = from.get(id);
    if (!key) throw new Error(`secret key "${id}" is not in the key ring`);
    return key;
  }

  function hmac(pepper: Buffer, code: string, context: string): Buffer {
    return createHmac('sha256', pepper).update(context).update('\0').update(code).digest();
  }

  return {
    activeKeyId: active.id,
    keyIds: specs.map((s) => s.id),

    encrypt(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', active.key, iv);
      // The context (e.g. a credential id) is bound as associated data: a ciphertext copied
      // to another row does not decrypt.
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return `v1.${active.id}.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },

    decrypt(sealed, context) {
      const [version, id, ivText, bodyText] = sealed.split('.');
      if (version !== 'v1' || !id || !ivText || !bodyText) throw new Error('malformed sealed secret');
      const body = Buffer.from(bodyText, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', keyFor(id, keys), Buffer.from(ivText, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - 16));
      return new Uint8Array(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]));
    },

    keyIdOf(sealed) {
      const id = sealed.split('.')[1];
      if (!id) throw new Error('malformed sealed secret');
      return id;
    },

    hashCode(code, context) {
      return `${active.id}$${hmac(keyFor(active.id, peppers), code, context).toString('hex')}`;
    },

    hashCodeAllKeys(code, context) {
      return specs.map((s) => `${s.id}$${hmac(keyFor(s.id, peppers), code, context).toString('hex')}`);
    },

    derive(purpose, keyId = active.id) {
      return Buffer.from(hkdfSync('sha256', keyFor(keyId, keys), Buffer.alloc(0), `twofold ${purpose}`, 32));
    },

    verifyCode(code, context, stored) {
      const dollar = stored.indexOf('$');
      const pepper = peppers.get(stored.slice(0, dollar));
      if (dollar < 1 || !pepper) return false;
      return constantTimeEqual(hmac(pepper, code, context), Buffer.from(stored.slice(dollar + 1), 'hex'));
    },
  };
}
