import type { Core, SetupRequirement, User } from '../../core/index.ts';
import type { IssuedSession } from '../../core/sessions/session.ts';
import type { Profile } from '../../core/users/profile.ts';

/** What the user object shows beside the account itself. */
export interface UserView {
  /** The app's own properties (Backendless' dynamic columns). */
  profile: Profile;
  /** Sign-in asks for an authenticator code (active, or armed by enable2FA / `totpAuthEnabled`). */
  totpAuthEnabled: boolean;
  /** REQUIRE_EMAIL_CONFIRMATION is on. */
  confirmationRequired: boolean;
  /** The enforcement policy wants a second factor set up (twofold's own column; absent when not). */
  setupRequired?: SetupRequirement | null;
}

/** Backendless' `userStatus`: an unverified address is `EMAIL_CONFIRMATION_PENDING` only when the app requires one. */
export function userStatus(user: User, confirmationRequired: boolean): 'DISABLED' | 'EMAIL_CONFIRMATION_PENDING' | 'ENABLED' {
  if (user.disabledAt) return 'DISABLED';
  return confirmationRequired && !user.emailVerifiedAt ? 'EMAIL_CONFIRMATION_PENDING' : 'ENABLED';
}

/**
 * A user as Backendless' `Users` table shows it: the app's properties, then the account's own columns (their
 * names are never a property, so nothing is shadowed). Where a session is handed over, its `user-token` and what
 * it proved: `amr` (RFC 8176 values) and `secondFactorAt` (milliseconds, as Backendless writes dates; null: none).
 */
export function backendlessUser(user: User, view: UserView, issued?: IssuedSession) {
  return {
    ...view.profile,
    objectId: user.id,
    ownerId: user.id,
    email: user.email,
    // Backendless' built-in `name` column: the app's value, else twofold's username.
    name: 'name' in view.profile ? view.profile.name : user.username,
    userStatus: userStatus(user, view.confirmationRequired),
    emailConfirmed: user.emailVerifiedAt !== null,
    totpAuthEnabled: view.totpAuthEnabled,
    created: user.createdAt.getTime(),
    updated: user.updatedAt.getTime(),
    ___class: 'Users',
    // `deadline` in milliseconds like Backendless' own dates; `restricted`: past it, only setting up a factor works.
    ...(view.setupRequired ? { setupRequired: { deadline: view.setupRequired.dueAt.getTime(), restricted: view.setupRequired.restricted } } : {}),
    ...(issued
      ? { 'user-token': issued.token, amr: issued.session.amr, secondFactorAt: issued.session.secondFactorAt?.getTime() ?? null }
      : {}),
  };
}

export type BackendlessUserJson = ReturnType<typeof backendlessUser>;

/** Renders users for one façade instance: reads the properties and the authenticator state each object shows. */
export function userRenderer(core: Core, confirmationRequired: boolean) {
  return async (user: User, issued?: IssuedSession, setupRequired?: SetupRequirement | null): Promise<BackendlessUserJson> => {
    const [profile, totp] = await Promise.all([core.users.profile(user.id), core.factors.totp.status(user.id)]);
    return backendlessUser(user, { profile, totpAuthEnabled: totp.enabled, confirmationRequired, setupRequired }, issued);
  };
}

export type UserRenderer = ReturnType<typeof userRenderer>;
