import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { encodeBase32 } from '../otp/base32.ts';
import { createTOTPKeyURI } from '../otp/key-uri.ts';
import { defaultTotpParams, verifyTOTPStep, type TotpParams } from '../otp/totp.ts';
import type { UserRecord } from '../users/user.ts';
import type { TotpCredential, TotpStore } from './totp-store.ts';

export interface TotpDeps {
  totp: TotpStore;
  keyRing: KeyRing;
  clock: Clock;
  issuer: string;
}

/** RFC 4226 4 recommends 160-bit keys, the size of SHA-1's output. */
const SECRET_BYTES = 20;
/** RFC 6238 5.2: tolerate one step of clock drift on either side, no more. */
const WINDOW_STEPS = 1;

const aad = (credentialId: string) => `totp:${credentialId}`;

export interface PendingEnrollment {
  credential: TotpCredential;
  /** Base32, for manual entry in an authenticator app. Shown once, at enrolment. */
  secret: string;
  uri: string;
}

/** Creates a pending TOTP credential. It does nothing until a code from it is verified (see `activate`). */
export async function enrollTotp(deps: TotpDeps, user: UserRecord, params: TotpParams = defaultTotpParams): Promise<PendingEnrollment> {
  const key = randomBytes(SECRET_BYTES);
  const id = randomUUID();
  const credential: TotpCredential = {
    id,
    userId: user.id,
    state: 'pending',
    secretSealed: deps.keyRing.encrypt(key, aad(id)),
    params,
    lastUsedStep: null,
    createdAt: deps.clock.now(),
    activatedAt: null,
  };
  await deps.totp.insertPending(credential);
  return { credential, secret: encodeBase32(key), uri: keyUri(deps, user, key, params) };
}

export function keyUri(deps: Pick<TotpDeps, 'issuer'>, user: UserRecord, key: Uint8Array, params: TotpParams): string {
  return createTOTPKeyURI({ issuer: deps.issuer, accountName: user.email, secret: key, params });
}

export function openSecret(deps: Pick<TotpDeps, 'keyRing'>, credential: TotpCredential): Uint8Array {
  return deps.keyRing.decrypt(credential.secretSealed, aad(credential.id));
}

/**
 * Checks a code against a credential and spends its time step: the step is claimed with a
 * compare-and-set in the database, so the same code is accepted once even when it arrives in
 * parallel on several instances (RFC 6238 5.2, ASVS 2.8.4).
 */
export async function verifyTotpCode(deps: TotpDeps, credential: TotpCredential, code: string): Promise<'ok' | 'invalid' | 'replayed'> {
  const key = openSecret(deps, credential);
  const timeMs = deps.clock.now().getTime();
  const step = verifyTOTPStep(key, code, { timeMs, params: credential.params, windowSteps: WINDOW_STEPS });
  if (step === null) return 'invalid';
  if (credential.lastUsedStep !== null && step <= credential.lastUsedStep) return 'replayed';
  return (await deps.totp.claimStep(credential.id, step)) ? 'ok' : 'replayed';
}
