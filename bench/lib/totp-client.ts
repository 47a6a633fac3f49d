import { createHmac } from 'node:crypto';

/**
 * The authenticator app's side: RFC 6238 codes, computed here with node:crypto so that the load
 * generator never uses the code it is measuring.
 */
export const PERIOD_MS = 30_000;

export function currentStep(nowMs = Date.now()): number {
  return Math.floor(nowMs / PERIOD_MS);
}

export function totpCode(key: Uint8Array, step: number, digits = 6): string {
  const counter = Buffer.alloc(8);
  counter.writeUInt32BE(Math.floor(step / 0x1_0000_0000), 0);
  counter.writeUInt32BE(step >>> 0, 4);
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fff_ffff) % 10 ** digits).padStart(digits, '0');
}

/** Milliseconds until the next time step begins. */
export function msToNextStep(nowMs = Date.now()): number {
  return PERIOD_MS - (nowMs % PERIOD_MS);
}
