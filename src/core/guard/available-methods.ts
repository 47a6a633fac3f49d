import type { TotpStore } from '../factors/totp-store.ts';
import type { UserRecord } from '../users/user.ts';

export type FactorMethod = 'totp' | 'email';
export type ChallengeMethod = FactorMethod | 'password';

/** The user's enabled second factors, in the order a challenge prefers them: totp, then email. */
export async function availableMethods(deps: { totp: TotpStore }, user: UserRecord): Promise<FactorMethod[]> {
  const methods: FactorMethod[] = [];
  if (await deps.totp.findActive(user.id)) methods.push('totp');
  if (user.emailTwoFactorEnabledAt && user.emailVerifiedAt) methods.push('email');
  return methods;
}

/** A caller may name an enabled method; anything else falls back to the preferred one. */
export function chooseMethod(available: FactorMethod[], requested: unknown, passwordFallback: boolean): ChallengeMethod | null {
  if (typeof requested === 'string' && (available as string[]).includes(requested)) return requested as FactorMethod;
  if (available[0]) return available[0];
  return passwordFallback ? 'password' : null;
}
