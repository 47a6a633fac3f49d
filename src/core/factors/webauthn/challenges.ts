import { hashToken } from '../../crypto/hash.ts';
import type { Clock } from '../../clock.ts';
import type { ChallengeBinding, WebAuthnStore } from './store.ts';
import type { RelyingParty } from './relying-party.ts';

export interface WebAuthnDeps {
  webauthn: WebAuthnStore;
  rp: RelyingParty;
  clock: Clock;
}

/** Keeps the challenge of freshly generated options (by hash), bound to what asked for it. */
export async function rememberChallenge(deps: WebAuthnDeps, challenge: string, binding: ChallengeBinding): Promise<void> {
  const now = deps.clock.now();
  await deps.webauthn.saveChallenge(hashToken(challenge), binding, now, new Date(now.getTime() + deps.rp.challengeTtlSeconds * 1000));
}

/**
 * The check the library runs on the challenge a registering browser signed: one we issued for this binding,
 * still live and unused — used up by this very check, whatever follows.
 */
export function spendChallenge(deps: WebAuthnDeps, binding: ChallengeBinding) {
  return (challenge: string) => deps.webauthn.consumeChallenge(hashToken(challenge), binding, deps.clock.now());
}
