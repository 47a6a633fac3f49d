import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { TwofoldError } from '../../errors.ts';
import type { UserRecord } from '../../users/user.ts';
import { rememberChallenge, type WebAuthnDeps } from './challenges.ts';
import { simpleWebAuthn } from './library.ts';
import type { ChallengeBinding } from './store.ts';

/**
 * Options for `navigator.credentials.get()`, naming the user's keys; the challenge is bound to `binding`.
 * The answer is verified by the challenge module (`core/challenge/verify.ts`), like every other factor.
 */
export async function assertionOptions(deps: WebAuthnDeps, user: UserRecord, binding: Omit<ChallengeBinding, 'userId'>): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const keys = await deps.webauthn.listForUser(user.id);
  if (keys.length === 0) throw new TwofoldError('webauthn_not_enabled');
  const { generateAuthenticationOptions } = await simpleWebAuthn();
  const options = await generateAuthenticationOptions({
    rpID: deps.rp.id,
    allowCredentials: keys.map((k) => ({ id: k.credentialId, transports: k.transports })),
    userVerification: 'preferred',
    timeout: deps.rp.challengeTtlSeconds * 1000,
  });
  await rememberChallenge(deps, options.challenge, { ...binding, userId: user.id });
  return options;
}
