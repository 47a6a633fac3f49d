import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { encodeBase32 } from '../otp/base32.ts';
import { createTOTPKeyURI } from '../otp/key-uri.ts';
import { defaultTotpParams, verifyTOTPStep, type TotpParams } from '../otp/totp.ts';
import type { UserRecord } from '../users/user.ts';
import type { TotpCredential } from './totp-store.ts';

/** RFC 4226 4 recommends 160-bit keys, the size of SHA-1's output. */
const SECRET_BYTES = 20;
/** RFC 6238 5.2: tolerate one step of clock drift on either side, no more. */
const WINDOW_STEPS = 1;

const aad = (credentialId: string) => `totp:${credentialId}`;

export interface NewAuthenticator {
  credential: TotpCredential;
  /** Base32, for manual entry in an authenticator app. Shown once, at enrolment. */
  secret: string;
  uri: string;
}

/** A new authenticator credential, sealed with the key ring, in the state it starts in. */
export function newAuthenticator(
  deps: { keyRing: KeyRing; clock: Clock; issuer: string },
  user: UserRecord,
  state: 'pending' | 'armed',
  params: TotpParams = defaultTotpParams,
): NewAuthenticator {
  const key = randomBytes(SECRET_BYTES);
  const id = randomUUID();
  const credential: TotpCredential = {
    id,
    userId: user.id,
    state,
    secretSealed: deps.keyRing.encrypt(key, aad(id)),
    params,
    lastUsedStep: null,
    createdAt: deps.clock.now(),
    activatedAt: null,
  };
  return { credential, secret: encodeBase32(key), uri: keyUri(deps, user, key, params) };
}

export function keyUri(deps: { issuer: string }, user: UserRecord, key: Uint8Array, params: TotpParams): string {
  return createTOTPKeyURI({ issuer: deps.issuer, accountName: user.email, secret: key, params });
}

export function openSecret(deps: { keyRing: KeyRing }, credential: TotpCredential): Uint8Array {
  return deps.keyRing.decrypt(credential.secretSealed, aad(credential.id));
}

/** The time step a code belongs to (current ±1), or null; codes of another length never match. */
export function totpStepOf(deps: { keyRing: KeyRing; clock: Clock }, credential: TotpCredential, code: string): number | null {
  return verifyTOTPStep(openSecret(deps, credential), code, { timeMs: deps.clock.now().getTime(), params: credential.params, windowSteps: WINDOW_STEPS });
}
