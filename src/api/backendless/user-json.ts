import type { User } from '../../core/index.ts';

/** A user as Backendless' `Users` table shows it; `user-token` is added only where a session is handed over. */
export function backendlessUser(user: User, userToken?: string) {
  return {
    objectId: user.id,
    ownerId: user.id,
    email: user.email,
    name: user.username,
    userStatus: user.disabledAt ? 'DISABLED' : 'ENABLED',
    emailConfirmed: user.emailVerifiedAt !== null,
    created: user.createdAt.getTime(),
    updated: user.updatedAt.getTime(),
    ___class: 'Users',
    ...(userToken ? { 'user-token': userToken } : {}),
  };
}
