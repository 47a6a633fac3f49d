import { generateHOTP, hotpSequence, type OtpAlgorithm } from './hotp.ts';

export interface TotpParams {
  algorithm: OtpAlgorithm;
  digits: number;
  periodSeconds: number;
}

export const defaultTotpParams: TotpParams = { algorithm: 'SHA1', digits: 6, periodSeconds: 30 };

/** RFC 6238 time step, counted from the Unix epoch (T0 = 0). */
export function totpStep(timeMs: number, periodSeconds: number): number {
  return Math.floor(timeMs / 1000 / periodSeconds);
}

export function generateTOTP(key: Uint8Array, timeMs: number, params: TotpParams = defaultTotpParams): string {
  return generateHOTP(key, totpStep(timeMs, params.periodSeconds), params.digits, params.algorithm);
}

/**
 * Finds the time step a code belongs to, or null.
 *
 * Strict by default (the current step only): accepting clock drift is the caller's decision, so the
 * caller names the window. `afterStep` is the last step this key accepted; a code is good once
 * (RFC 6238 section 5.2), so only later steps count. When a code matches two steps, the later one is
 * returned, because spending the earlier would leave the later one open to replay.
 */
export function verifyTOTPStep(
  key: Uint8Array,
  code: string,
  options: { timeMs: number; params?: TotpParams; windowSteps?: number; afterStep?: number },
): number | null {
  const params = options.params ?? defaultTotpParams;
  const windowSteps = options.windowSteps ?? 0;
  if (!Number.isSafeInteger(windowSteps) || windowSteps < 0) throw new RangeError(`windowSteps ${windowSteps} is not a non-negative integer`);
  // Rejected before any HMAC: a malformed code is free to refuse.
  const expected = parseCode(code, params.digits);
  if (expected === null) return null;

  const current = totpStep(options.timeMs, params.periodSeconds);
  const lowest = Math.max(0, current - windowSteps, options.afterStep === undefined ? 0 : Math.floor(options.afterStep) + 1);
  const highest = current + windowSteps;
  if (highest < lowest) return null;
  // The key's share of the HMAC work is done once for the whole window.
  const hotp = hotpSequence(key, params.digits, params.algorithm);
  for (let step = highest; step >= lowest; step--) {
    if (hotp(step) === expected) return step;
  }
  return null;
}

/** The code's value, or null unless it is exactly `digits` ASCII digits (no sign, space or other script's digits). */
function parseCode(code: string, digits: number): number | null {
  if (code.length !== digits) return null;
  let value = 0;
  for (let i = 0; i < code.length; i++) {
    const digit = code.charCodeAt(i) - 48; // '0'
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return value;
}
