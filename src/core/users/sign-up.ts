import { assertAuthenticatorsOffered, concealedEnrollment, enrolAuthenticator, type AuthenticatorDeps, type TotpEnrollment } from '../factors/authenticator.ts';
import { optInEmailCodes, type EmailFactorDeps } from '../factors/email-factor.ts';
import { checkProfileChanges, mergedProfile, updateProfile, type Profile, type ProfileDeps } from './profile.ts';
import { registerAccount, type RegistrationInput } from './registration.ts';
import type { User, UserRecord } from './user.ts';

export interface SignUpDeps {
  account: Parameters<typeof registerAccount>[0];
  profile: ProfileDeps;
  authenticator: AuthenticatorDeps;
  email: EmailFactorDeps;
  /** REGISTRATION_PRIVACY: wires that ask (`conceal`) answer an existing address like a new one. */
  registrationPrivacy: boolean;
}

export interface SignUpOptions {
  /** Starts the first authenticator: `pending` until its first code, `armed` (the Backendless seed) at once. */
  authenticator?: 'pending' | 'armed';
  /** This wire may answer an address that already has an account like a new one (see `registerAccount`). */
  conceal?: boolean;
  /** The app's own properties of the new user (its sign-up form's name, phone, …). */
  profile?: unknown;
}

export interface Registered {
  user: User;
  record: UserRecord;
  profile: Profile;
  verificationMailSent: boolean;
  /** Set when registering with an authenticator: the secret to show and the transaction its first code completes. */
  enrollment?: TotpEnrollment;
}

/**
 * Creates an account with its properties, mails its verification link, gives it what this server gives a new
 * account (email codes by auto opt-in, Rocket.Chat's setting) and, when asked, starts its first authenticator.
 * Properties and a factor the server does not offer are refused before the account exists: a retry is not met
 * by `user_exists`.
 */
export async function signUp(deps: SignUpDeps, input: RegistrationInput, options: SignUpOptions = {}): Promise<Registered> {
  const changes = options.profile === undefined ? {} : checkProfileChanges(options.profile);
  if (options.authenticator) assertAuthenticatorsOffered(deps.authenticator);
  const asked = mergedProfile({}, changes);
  const { concealed, ...created } = await registerAccount(deps.account, input, { conceal: deps.registrationPrivacy && options.conceal === true });
  const registered = concealed ? created : { ...created, record: await optInEmailCodes(deps.email, created.record) };
  // A concealed registration writes nothing: its answer shows the properties as a new account would keep them.
  const profile = concealed || Object.keys(changes).length === 0 ? asked : await updateProfile(deps.profile, registered.record.id, changes);
  if (!options.authenticator) return { ...registered, profile };
  const enrollment = concealed
    ? concealedEnrollment(deps.authenticator, registered.record)
    : await enrolAuthenticator(deps.authenticator, registered.record, { mode: 'register', state: options.authenticator }, null);
  return { ...registered, profile, enrollment };
}
