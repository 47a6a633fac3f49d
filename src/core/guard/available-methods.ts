import type { TotpStore } from '../factors/totp-store.ts';
import type { WebAuthnStore } from '../factors/webauthn/store.ts';
import type { UserRecord } from '../users/user.ts';

export type FactorMethod = 'totp' | 'email' | 'webauthn';
export type ChallengeMethod = FactorMethod | 'password';

/**
 * The user's enabled second factors, in the order a challenge prefers them: totp, email, then webauthn
 * (last, because the code-only façades report it but cannot use it).
 */
export async function availableMethods(deps: { totp: TotpStore; webauthn: WebAuthnStore }, user: UserRecord): Promise<FactorMethod[]> {
  const methods: FactorMethod[] = [];
  const [totp, keys] = await Promise.all([deps.totp.findActive(user.id), deps.webauthn.countForUser(user.id)]);
  if (totp) methods.push('totp');
  if (user.emailTwoFactorEnabledAt && user.emailVerifiedAt) methods.push('email');
  if (keys > 0) methods.push('webauthn');
  return methods;
}

/** A caller may name an enabled method; anything else falls back to the preferred one. */
export function chooseMethod(available: FactorMethod[], requested: unknown, passwordFallback: boolean): ChallengeMethod | null {
  if (typeof requested === 'string' && (available as string[]).includes(requested)) return requested as FactorMethod;
  if (available[0]) return available[0];
  return passwordFallback ? 'password' : null;
}
