import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { TwofoldError, isTwofoldError } from '../../errors.ts';
import type { UserRecord } from '../../users/user.ts';
import { rememberChallenge, spendChallenge, type WebAuthnDeps } from './challenges.ts';
import type { ChallengeBinding } from './store.ts';

/** Options for `navigator.credentials.get()`, naming the user's keys; the challenge is bound to `binding`. */
export async function assertionOptions(deps: WebAuthnDeps, user: UserRecord, binding: Omit<ChallengeBinding, 'userId'>): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const keys = await deps.webauthn.listForUser(user.id);
  if (keys.length === 0) throw new TwofoldError('webauthn_not_enabled');
  const options = await generateAuthenticationOptions({
    rpID: deps.rp.id,
    allowCredentials: keys.map((k) => ({ id: k.credentialId, transports: k.transports })),
    userVerification: 'preferred',
    timeout: deps.rp.challengeTtlSeconds * 1000,
  });
  await rememberChallenge(deps, options.challenge, { ...binding, userId: user.id });
  return options;
}

/**
 * Checks a browser's assertion as this user's second factor: one of the user's keys, a challenge issued
 * for `binding` (spent by this check), the origin and relying party, the signature, and a counter that
 * moved forward. Any failure is just `invalid`: the caller counts it as a wrong guess.
 */
export async function verifyAssertion(
  deps: WebAuthnDeps,
  user: UserRecord,
  response: unknown,
  binding: Omit<ChallengeBinding, 'userId'>,
): Promise<'ok' | 'invalid'> {
  const credentialId = typeof response === 'object' && response !== null ? (response as { id?: unknown }).id : undefined;
  if (typeof credentialId !== 'string' || credentialId.length === 0 || credentialId.length > 1024) return 'invalid';
  const key = await deps.webauthn.findByCredentialId(credentialId);
  if (!key || key.userId !== user.id) return 'invalid';
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge: spendChallenge(deps, { ...binding, userId: user.id }),
      expectedOrigin: deps.rp.origins,
      expectedRPID: deps.rp.id,
      credential: { id: key.credentialId, publicKey: key.publicKey, counter: key.counter, transports: key.transports },
      requireUserVerification: false,
    });
  } catch (error) {
    // A database outage while spending the challenge is a 503, not a wrong answer.
    if (isTwofoldError(error)) throw error;
    // Malformed answers, a wrong origin or signature, a counter gone backwards: all the same to the caller.
    return 'invalid';
  }
  if (!result.verified) return 'invalid';
  const { newCounter, credentialBackedUp } = result.authenticationInfo;
  return (await deps.webauthn.recordUse(key.id, key.counter, newCounter, credentialBackedUp, deps.clock.now())) ? 'ok' : 'invalid';
}
