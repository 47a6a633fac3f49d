import type { UserRecord } from '../../core/index.ts';

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
