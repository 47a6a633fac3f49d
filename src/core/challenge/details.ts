import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { mailNewEmailCode, reusable, type EmailCodeDeps } from '../factors/email-codes.ts';
import { assertionOptions } from '../factors/webauthn/assertion.ts';
import type { WebAuthnDeps } from '../factors/webauthn/challenges.ts';
import type { ChallengePurpose } from '../factors/webauthn/store.ts';
import { availableMethods, type ChallengeMethod, type FactorMethod, type FactorState } from './factors.ts';

/** What a `totp-required` challenge tells the client (Rocket.Chat's `details`). */
export interface ChallengeDetails {
  method: ChallengeMethod;
  codeGenerated: boolean;
  codeCount?: number;
  codeExpires?: Date[];
  /** Where an email code went: the username, or the address when there is none (Rocket.Chat clients offer "resend" with it). */
  emailOrUsername?: string;
  availableMethods: FactorMethod[];
  /** For `webauthn`: the options to pass to `navigator.credentials.get()`; the answer is the proof. */
  webauthn?: PublicKeyCredentialRequestOptionsJSON;
}

export interface DetailsDeps {
  email: EmailCodeDeps;
  webauthn: WebAuthnDeps;
}

/**
 * Builds the challenge for `method`. For email it mails a code unless the live one is worth reusing; for
 * a key it issues options whose challenge is bound to what asked (a transaction, or the asking session).
 */
export async function challengeDetails(
  deps: DetailsDeps,
  state: FactorState,
  method: ChallengeMethod,
  binding: { purpose: ChallengePurpose; boundTo: Buffer | null },
): Promise<ChallengeDetails> {
  const available = availableMethods(state);
  const user = state.user;
  if (method === 'password') return { method, codeGenerated: false, availableMethods: [] };
  if (method === 'webauthn') {
    return { method, codeGenerated: false, availableMethods: available, webauthn: await assertionOptions(deps.webauthn, user, binding) };
  }
  if (method !== 'email') return { method, codeGenerated: false, availableMethods: available };
  const emailOrUsername = user.username ?? user.email;
  const live = state.emailCode;
  if (reusable(deps.email, live)) {
    return { method, codeGenerated: false, emailOrUsername, codeCount: 1, codeExpires: [live.expiresAt], availableMethods: available };
  }
  await mailNewEmailCode(deps.email, user);
  return { method, codeGenerated: true, emailOrUsername, availableMethods: available };
}

/** The method a caller asked for when the user has it, else the first the user has (null when none). */
export function preferredMethod(available: readonly FactorMethod[], requested: unknown): FactorMethod | null {
  if ((available as readonly unknown[]).includes(requested)) return requested as FactorMethod;
  return available[0] ?? null;
}
