import { BACKUP_CODE_ALPHABET, BACKUP_CODE_COUNT, BACKUP_CODE_LENGTH, formatBackupCode, hashBackupCodes } from '../factors/backup-codes.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { Answer } from './answer.ts';

/**
 * A client that lost the answer to a completed sign-in repeats the same request (same transaction, same
 * answer). It must get the same result back, not a replay alarm (security.md threat 14). Nothing secret is
 * stored for that: the transaction keeps a peppered hash of the answer that completed it, and the session
 * token, device token and backup codes it produced are derived from that hash under the key ring's pepper, so
 * the same request derives them again and nothing else can.
 */

const CONTEXT = 'twofold sign-in answer';

/** What an answer is, for recognising it again: its factor and its normalised value (a key's signature). */
function answerText(idHash: Buffer, answer: Answer): string {
  const value = answer.kind === 'webauthn' ? signatureOf(answer.response) : answer.kind === 'password' ? answer.digest : answer.code;
  return `${idHash.toString('hex')}\0${answer.kind}\0${value}`;
}

function signatureOf(response: unknown): string {
  const inner = (response as { response?: { signature?: unknown } } | null)?.response;
  return typeof inner?.signature === 'string' ? inner.signature : '';
}

/** `<keyId>$<hex>` under the active key, or under `keyId` when checking a stored one. */
export function answerHash(keyRing: KeyRing, idHash: Buffer, answer: Answer, keyId = keyRing.activeKeyId): string | null {
  return keyRing.hashCodeAllKeys(answerText(idHash, answer), CONTEXT).find((h) => h.startsWith(`${keyId}$`)) ?? null;
}

/** Whether a stored answer hash is this answer's (constant time, under the key that made it). */
export function sameAnswer(keyRing: KeyRing, stored: string, idHash: Buffer, answer: Answer): boolean {
  return keyRing.verifyCode(answerText(idHash, answer), CONTEXT, stored);
}

function derive(keyRing: KeyRing, stored: string, label: string): Buffer {
  const keyId = stored.slice(0, stored.indexOf('$'));
  const hash = keyRing.hashCodeAllKeys(`${label}\0${stored}`, CONTEXT).find((h) => h.startsWith(`${keyId}$`));
  if (!hash) throw new Error(`key ${keyId} left the ring`);
  return Buffer.from(hash.slice(keyId.length + 1), 'hex');
}

/** The session token (256 bits) a completed sign-in issued. */
export const derivedSessionToken = (keyRing: KeyRing, stored: string) => derive(keyRing, stored, 'session').toString('base64url');
/** The remembered-device token it issued, when asked to. */
export const derivedDeviceToken = (keyRing: KeyRing, stored: string) => derive(keyRing, stored, 'device').toString('base64url');

/** The backup codes it issued with a new authenticator: shown again to a client that lost them, hashes to store. */
export function derivedBackupCodes(keyRing: KeyRing, stored: string, userId: string): { hashes: string[]; shown: string[] } {
  const codes: string[] = [];
  let block = 0;
  let bytes: Buffer = Buffer.alloc(0);
  while (codes.length < BACKUP_CODE_COUNT) {
    let code = '';
    while (code.length < BACKUP_CODE_LENGTH) {
      if (bytes.length === 0) bytes = derive(keyRing, stored, `backup ${block++}`);
      const byte = bytes[0]!;
      bytes = bytes.subarray(1);
      // Rejection sampling keeps every character equally likely (248 = 8 × 31).
      if (byte < 248) code += BACKUP_CODE_ALPHABET[byte % BACKUP_CODE_ALPHABET.length];
    }
    codes.push(code);
  }
  return { hashes: hashBackupCodes(keyRing, userId, codes), shown: codes.map(formatBackupCode) };
}
