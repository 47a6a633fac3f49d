import type { Registered } from '../core.ts';
import { assertAuthenticatorsOffered, concealedEnrollment, enrolAuthenticator, type AuthenticatorDeps } from '../factors/authenticator.ts';
import { optInEmailCodes, type EmailFactorDeps } from '../factors/email-factor.ts';
import { registerAccount, type RegistrationInput } from '../users/registration.ts';

export interface RegisterDeps {
  account: Parameters<typeof registerAccount>[0];
  authenticator: AuthenticatorDeps;
  email: EmailFactorDeps;
  /** Wires that may conceal it answer a registration of an existing address like a new one. */
  registrationPrivacy: boolean;
}

/**
 * A new account with what this server gives one: email codes by auto opt-in (Rocket.Chat's setting) and, when
 * asked, its first authenticator (for a concealed registration, one that leads nowhere).
 */
export async function registerWithFactors(
  deps: RegisterDeps,
  input: RegistrationInput,
  options: { authenticator?: 'pending' | 'armed'; conceal?: boolean },
): Promise<Registered> {
  // Refused before the account exists, so a retry is not met by `user_exists`.
  if (options.authenticator) assertAuthenticatorsOffered(deps.authenticator);
  const conceal = deps.registrationPrivacy && options.conceal === true;
  const { concealed, ...created } = await registerAccount(deps.account, input, { conceal });
  const registered = concealed ? created : { ...created, record: await optInEmailCodes(deps.email, created.record) };
  if (!options.authenticator) return registered;
  const enrollment = concealed
    ? concealedEnrollment(deps.authenticator, registered.record)
    : await enrolAuthenticator(deps.authenticator, registered.record, { mode: 'register', state: options.authenticator }, null);
  return { ...registered, enrollment };
}
