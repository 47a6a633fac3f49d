import { randomBytes } from 'node:crypto';

/** An unguessable id (DDP session ids must not be predictable: they name a connection to its peer). */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

/** SockJS `entropy`: clients use it only to seed their own randomness. */
export function randomUint32(): number {
  return randomBytes(4).readUInt32BE(0);
}
