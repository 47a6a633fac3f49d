import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { Clock } from '../clock.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { hashToken } from '../crypto/hash.ts';
import { isTwofoldError } from '../errors.ts';
import { backupCodeLookup } from '../factors/backup-codes.ts';
import { verifyEmailCodeHash } from '../factors/email-codes.ts';
import { totpStepOf } from '../factors/totp.ts';
import type { TotpCredential } from '../factors/totp-store.ts';
import { simpleWebAuthn } from '../factors/webauthn/library.ts';
import type { RelyingParty } from '../factors/webauthn/relying-party.ts';
import type { ChallengePurpose, WebAuthnStore } from '../factors/webauthn/store.ts';
import { verifyPasswordDigest } from '../password.ts';
import type { LoginTransaction } from '../transactions/store.ts';
import type { UserRecord } from '../users/user.ts';
import { backupShape, type WebAuthnAnswer } from './proof.ts';
import type { ChallengeStore, Claim } from './store.ts';
import type { LiveEmailCode } from './factors.ts';

/** The factor an answer was checked as. */
export type AnswerFactor = 'totp' | 'backup' | 'email' | 'webauthn' | 'password';

/**
 * One verifier's verdict. `ok` carries what must be spent for the answer to count (checked again,
 * atomically, when it is recorded). `replayed` is a right answer already used: logged, never a guess.
 */
export type Verdict =
  | { result: 'ok'; factor: AnswerFactor; claim: Claim; credential?: TotpCredential }
  | { result: 'invalid' | 'replayed' | 'exhausted'; factor: AnswerFactor; emailCode?: { id: string; maxAttempts: number } };

export interface VerifyDeps {
  keyRing: KeyRing;
  clock: Clock;
  store: ChallengeStore;
  webauthn: WebAuthnStore;
  rp: RelyingParty;
  emailCodeMaxAttempts: number;
}

/**
 * An authenticator code against the given credentials (the active one, an armed replacement, or the one
 * being enrolled), ±1 step (RFC 6238 5.2). A step at or below the last used one is a replay.
 */
export function verifyAuthenticator(deps: Pick<VerifyDeps, 'keyRing' | 'clock'>, credentials: readonly TotpCredential[], code: string): Verdict {
  let replayed = false;
  for (const credential of credentials) {
    const step = totpStepOf(deps, credential, code);
    if (step === null) continue;
    if (credential.lastUsedStep !== null && step <= credential.lastUsedStep) {
      replayed = true;
      continue;
    }
    return { result: 'ok', factor: 'totp', claim: { kind: 'totp-step', credentialId: credential.id, step }, credential };
  }
  return { result: replayed ? 'replayed' : 'invalid', factor: 'totp' };
}

/** A backup code: found by its hash under every key; one already used is a replay. */
export async function verifyBackupCode(deps: Pick<VerifyDeps, 'keyRing' | 'store'>, user: UserRecord, code: string): Promise<Verdict> {
  const normalized = backupShape(code);
  if (!normalized) return { result: 'invalid', factor: 'backup' };
  const found = await deps.store.findBackupCode(user.id, backupCodeLookup(deps.keyRing, user.id, normalized));
  if (!found) return { result: 'invalid', factor: 'backup' };
  if (found.usedAt) return { result: 'replayed', factor: 'backup' };
  return { result: 'ok', factor: 'backup', claim: { kind: 'backup-code', id: found.id } };
}

/**
 * The user's one live email code (security.md threat 15: a guess is compared with one code, never many).
 * For a sign-in, the code and the transaction must have been alive together: the code's run of live codes began
 * before the transaction expired, and the transaction began before the code expires. (A code mailed on request
 * for a sign-in already pending, "email me a code", must complete it, so the run may begin after the transaction.)
 */
export function verifyEmailCode(
  deps: Pick<VerifyDeps, 'keyRing' | 'emailCodeMaxAttempts'>,
  user: UserRecord,
  live: LiveEmailCode | null,
  code: string,
  transaction?: LoginTransaction,
): Verdict {
  if (!live) return { result: 'invalid', factor: 'email' };
  if (live.attempts >= deps.emailCodeMaxAttempts) return { result: 'exhausted', factor: 'email' };
  const bound = !transaction || (live.liveSince < transaction.expiresAt && transaction.createdAt < live.expiresAt);
  if (bound && verifyEmailCodeHash(deps.keyRing, user.id, code, live.codeHash)) {
    return { result: 'ok', factor: 'email', claim: { kind: 'email-code', id: live.id, maxAttempts: deps.emailCodeMaxAttempts } };
  }
  return { result: 'invalid', factor: 'email', emailCode: { id: live.id, maxAttempts: deps.emailCodeMaxAttempts } };
}

/**
 * A browser's assertion: one of the user's keys, a live challenge issued for `binding`, the origin and
 * relying party, the signature, and a counter that moved forward. The challenge and the counter are spent
 * when the answer is recorded, so two parallel uses of one assertion cannot both count.
 */
export async function verifyWebAuthn(
  deps: Pick<VerifyDeps, 'webauthn' | 'rp' | 'clock'>,
  user: UserRecord,
  response: WebAuthnAnswer | null,
  binding: { purpose: ChallengePurpose; boundTo: Buffer | null },
): Promise<Verdict> {
  const invalid: Verdict = { result: 'invalid', factor: 'webauthn' };
  if (!response) return invalid;
  const key = await deps.webauthn.findByCredentialId(response.id);
  if (!key || key.userId !== user.id) return invalid;
  const { verifyAuthenticationResponse } = await simpleWebAuthn();
  let challengeHash: Buffer | null = null;
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response: response as unknown as AuthenticationResponseJSON,
      expectedChallenge: async (challenge: string) => {
        challengeHash = hashToken(challenge);
        return deps.webauthn.isChallengeLive(challengeHash, { ...binding, userId: user.id }, deps.clock.now());
      },
      expectedOrigin: deps.rp.origins,
      expectedRPID: deps.rp.id,
      credential: { id: key.credentialId, publicKey: key.publicKey, counter: key.counter, transports: key.transports },
      requireUserVerification: false,
    });
  } catch (error) {
    // A database outage while looking up the challenge is a 503, not a wrong answer.
    if (isTwofoldError(error)) throw error;
    // Malformed answers, a wrong origin or signature, a counter gone backwards: all a wrong answer.
    return invalid;
  }
  if (!result.verified || !challengeHash) return invalid;
  const { newCounter, credentialBackedUp, credentialDeviceType, userVerified } = result.authenticationInfo;
  return {
    result: 'ok',
    factor: 'webauthn',
    claim: { kind: 'webauthn', challengeHash, binding, keyId: key.id, previousCounter: key.counter, newCounter, backedUp: credentialBackedUp, deviceType: credentialDeviceType, userVerified },
  };
}

/** The password of a user who has no second factor (Rocket.Chat's fallback), against the stored argon2id hash. */
export async function verifyPassword(user: UserRecord, digest: string): Promise<Verdict> {
  return (await verifyPasswordDigest(user.passwordHash, digest))
    ? { result: 'ok', factor: 'password', claim: { kind: 'none' } }
    : { result: 'invalid', factor: 'password' };
}
