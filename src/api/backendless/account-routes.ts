import type { FastifyPluginAsync } from 'fastify';
import { TwofoldError } from '../../core/errors.ts';
import { publicUser } from '../../core/users/user.ts';
import { requestContext } from '../rest/request-context.ts';
import { requireBackendlessUser } from './session.ts';
import type { BackendlessUserJson } from './user-json.ts';
import { fields, SDK_FIELDS, type UserRouteOptions } from './user-routes.ts';

/**
 * The columns of the user object that are the account's own. `Users.update(user)` sends the whole object the
 * app holds, so they come back: unchanged they are fine, changed they are refused (the 2FA state, the address
 * and the password each have their own, guarded way to change).
 */
const ACCOUNT_FIELDS: Record<string, string> = {
  objectId: 'the id is the account’s',
  ownerId: 'the owner of a user is the user',
  email: 'a new address needs its verification, which update does not do',
  password: 'change it with the current password and the second factor (POST /v1/me/password), or with Users.restorePassword',
  userStatus: 'the status is the operator’s (twofold user disable / enable)',
  emailConfirmed: 'an address is confirmed by following the mailed link',
  totpAuthEnabled: "turn 2FA on or off with CustomServices.invoke('TOTP', 'enable2FA' / 'disable2FA')",
  created: 'set by the server',
  updated: 'set by the server',
  lastLogin: 'set by the server',
  socialAccount: 'twofold has no social logins',
};

/** Whether a field the SDK sent back is what the user object shows now (an older `updated` is a copy held since). */
function unchanged(name: string, sent: unknown, current: BackendlessUserJson): boolean {
  const shown = (current as Record<string, unknown>)[name];
  if (name === 'password') return sent === undefined || sent === null || sent === '';
  if (name === 'email') return typeof sent === 'string' && sent.trim().toLowerCase() === current.email.toLowerCase();
  if (name === 'updated') return typeof sent === 'number' && sent <= current.updated;
  return sent === shown || ((sent === null || sent === undefined) && (shown === null || shown === undefined));
}

/** The app's properties in an update body: the account's own fields and the SDK's tags are taken out. */
function propertyChanges(body: Record<string, unknown>, current: BackendlessUserJson): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (SDK_FIELDS.has(name)) continue;
    const reason = Object.hasOwn(ACCOUNT_FIELDS, name) ? ACCOUNT_FIELDS[name] : undefined;
    if (reason === undefined) changes[name] = value;
    else if (!unchanged(name, value, current)) throw new TwofoldError('property_protected', { property: name }, `"${name}" cannot be changed with Users.update: ${reason}.`);
  }
  return changes;
}

const COLUMN_DEFAULTS = { required: false, identity: false, defaultValue: null, relatedTable: null, customRegex: null, autoLoad: false, isPrimaryKey: false };

/** The account's own columns, as describeUserClass lists Backendless' built-in ones. */
const BUILT_IN_COLUMNS = [
  { ...COLUMN_DEFAULTS, name: 'objectId', type: 'STRING_ID', isPrimaryKey: true },
  { ...COLUMN_DEFAULTS, name: 'ownerId', type: 'STRING' },
  { ...COLUMN_DEFAULTS, name: 'email', type: 'STRING', required: true, identity: true },
  { ...COLUMN_DEFAULTS, name: 'password', type: 'STRING', required: true },
  { ...COLUMN_DEFAULTS, name: 'name', type: 'STRING' },
  { ...COLUMN_DEFAULTS, name: 'userStatus', type: 'STRING' },
  { ...COLUMN_DEFAULTS, name: 'emailConfirmed', type: 'BOOLEAN' },
  { ...COLUMN_DEFAULTS, name: 'totpAuthEnabled', type: 'BOOLEAN' },
  { ...COLUMN_DEFAULTS, name: 'created', type: 'DATETIME' },
  { ...COLUMN_DEFAULTS, name: 'updated', type: 'DATETIME' },
];

/** `Users.update`, `describeUserClass`, `restorePassword` and `resendEmailConfirmation`. */
export const backendlessAccountRoutes: FastifyPluginAsync<UserRouteOptions> = async (app, { core, render }) => {
  app.put<{ Params: { objectId: string } }>(
    '/users/:objectId',
    // Backendless' update numbers: 3028 no logged-in user, 3030 no such user (another user's is none of the caller's).
    { config: { backendlessCodes: { forbidden: 3028, not_found: 3030 } } },
    async (request) => {
      const { user } = await requireBackendlessUser(core, request);
      if (user.id !== request.params.objectId.toLowerCase()) throw new TwofoldError('not_found', {}, 'Only the logged-in user can be updated.');
      const changes = propertyChanges(fields(request.body), await render(publicUser(user)));
      await core.users.updateProfile(user.id, changes);
      return render(publicUser(await core.users.get(user.id)));
    },
  );

  app.get('/users/userclassprops', async () => {
    const custom = (await core.users.profileColumns()).filter((column) => !BUILT_IN_COLUMNS.some((builtIn) => builtIn.name === column.name));
    return [...BUILT_IN_COLUMNS, ...custom.map((column) => ({ ...COLUMN_DEFAULTS, ...column }))];
  });

  // Answered alike for any address (Backendless says 3020 for an unknown one: twofold tells nobody who is registered).
  app.get<{ Params: { email: string } }>('/users/restorepassword/:email', { config: { rateLimit: 'accountMail' } }, async (request, reply) => {
    await core.auth.requestPasswordReset(request.params.email, requestContext(request, 'backendless'));
    return reply.status(200).send();
  });

  app.post<{ Params: { identity: string } }>('/users/resendconfirmation/:identity', { config: { rateLimit: 'accountMail' } }, async (request, reply) => {
    await core.auth.resendVerificationTo(request.params.identity);
    return reply.status(200).send();
  });
};
