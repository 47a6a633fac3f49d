import type { SetupRequirement, UserRecord } from '../../core/index.ts';

/**
 * The signed-in user as Rocket.Chat's `/me` and login's `data.me` show it: what its clients read (`_id`,
 * `username`, `emails`, `services.totp` / `services.email2fa`), nothing secret. Rocket.Chat leaves a factor that is
 * off out of `services`; twofold says `enabled: false`, which its clients read the same way.
 */
export function meJson(user: UserRecord, totpEnabled: boolean) {
  const verified = user.emailVerifiedAt !== null;
  return {
    _id: user.id,
    ...(user.username !== null ? { username: user.username } : {}),
    name: user.username ?? user.email,
    emails: [{ address: user.email, verified }],
    ...(verified ? { email: user.email } : {}),
    active: user.disabledAt === null,
    type: 'user',
    roles: ['user'],
    createdAt: user.createdAt.toISOString(),
    _updatedAt: user.updatedAt.toISOString(),
    settings: { profile: {}, preferences: {} },
    services: {
      password: { exists: true },
      totp: { enabled: totpEnabled },
      email2fa: { enabled: user.emailTwoFactorEnabledAt !== null },
    },
  };
}

/**
 * `setupRequired` in login's `data` and on `/me` (twofold's own field): the enforcement policy wants a second factor
 * by `deadline`; `restricted`: it has passed, and only setting one up (`users.2fa.enableEmail`, `method.call` of
 * `2fa:enable` / `2fa:validateTempToken` / `2fa:enable-email`), `/me` and `logout` work until then.
 */
export function restSetupRequired(requirement: SetupRequirement | null) {
  return requirement ? { setupRequired: { deadline: requirement.dueAt.toISOString(), restricted: requirement.restricted } } : {};
}
