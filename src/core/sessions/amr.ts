import type { Claim } from '../challenge/store.ts';
import type { AnswerFactor } from '../challenge/verify.ts';

/**
 * Authentication Method Reference values (RFC 8176 §2) a session can carry: what it proved, for an app that
 * asks "how did this user sign in?" (OpenID Connect's `amr` claim).
 * - `pwd`: the password. `otp`: a one-time code — an authenticator (TOTP), backup or email code alike
 *   (RFC 8176 has no separate value for a mailed code; `sms` is for texts, which twofold does not send).
 * - `hwk` / `swk`: a passkey or security key, by where its private key lives. A key the authenticator reports
 *   as device-bound (WebAuthn `singleDevice`: a security key, a TPM/Secure Enclave passkey) is `hwk`; a synced
 *   passkey (`multiDevice`: its private key is copied between devices by software) is `swk`.
 * - `user`: the key's authenticator verified the user (WebAuthn UV: a PIN or biometric gesture on the device).
 * - `mfa`: two or more factors of different kinds (RFC 8176: "multiple-factor authentication").
 */
export type AmrValue = 'pwd' | 'otp' | 'hwk' | 'swk' | 'user' | 'mfa';

/** The values one accepted answer adds. */
export function answerAmr(factor: AnswerFactor, claim: Claim): AmrValue[] {
  switch (factor) {
    case 'password':
      return ['pwd'];
    case 'totp':
    case 'backup':
    case 'email':
      return ['otp'];
    case 'webauthn':
      if (claim.kind !== 'webauthn') return ['hwk'];
      return [claim.deviceType === 'multiDevice' ? 'swk' : 'hwk', ...(claim.userVerified ? (['user'] as const) : [])];
  }
}

/** Factor kinds: a password is something known, a code or key something held. */
const KNOWLEDGE: ReadonlySet<AmrValue> = new Set(['pwd']);
const POSSESSION: ReadonlySet<AmrValue> = new Set(['otp', 'hwk', 'swk']);

/** The session's values after it proved `added` too: each once, in a stable order, `mfa` when two kinds passed. */
export function combineAmr(current: readonly string[], added: readonly AmrValue[]): AmrValue[] {
  const all = new Set<string>([...current, ...added]);
  const kinds = [KNOWLEDGE, POSSESSION].filter((kind) => [...all].some((v) => kind.has(v as AmrValue))).length;
  if (kinds >= 2 || all.has('user')) all.add('mfa');
  return ORDER.filter((v) => all.has(v));
}

const ORDER: readonly AmrValue[] = ['pwd', 'otp', 'hwk', 'swk', 'user', 'mfa'];
