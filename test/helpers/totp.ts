import { PNG } from 'pngjs';
import jsQRModule from 'jsqr';
import { decodeBase32 } from '../../src/core/otp/base32.ts';
import { generateTOTP } from '../../src/core/otp/totp.ts';
import type { TestClock } from './clock.ts';

/** What an authenticator app shows for this secret at the server's (test) time, `stepOffset` steps later. */
export function authenticatorCode(secret: string, clock: TestClock, stepOffset = 0): string {
  return generateTOTP(decodeBase32(secret), clock.now().getTime() + stepOffset * 30_000);
}

/** Reads a QR PNG the way a phone camera would. */
// jsqr is CommonJS with `export default` typings; under ESM interop the function may sit on `.default`.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

export function decodeQrPng(png: Buffer): string {
  const image = PNG.sync.read(png);
  const result = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  if (!result) throw new Error('no QR code found in the image');
  return result.data;
}
