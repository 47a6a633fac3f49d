import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/index.ts';
import { TwofoldError } from '../../core/errors.ts';
import { publicUser } from '../../core/users/user.ts';
import { requestContext } from '../rest/request-context.ts';
import type { Links } from '../http/links.ts';
import { requireBackendlessUser, userToken } from './session.ts';
import type { UserRenderer } from './user-json.ts';

export interface UserRouteOptions {
  core: Core;
  links: Links;
  render: UserRenderer;
}

/** Backendless bodies are user objects: read them as a plain object (anything else as empty). */
export function fields<T extends object>(body: unknown): Partial<T> & Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Partial<T> & Record<string, unknown>) : {};
}

/** What the SDK adds to any object it sends: its class tag and the session it holds, not the user's data. */
export const SDK_FIELDS = new Set(['___class', 'user-token']);

/** `users/register`, `users/login`, `users/logout`, `users/isvalidusertoken` and `data/Users/:id`, as the SDK calls them. */
export const backendlessUserRoutes: FastifyPluginAsync<UserRouteOptions> = async (app, { core, links, render }) => {
  // Register and login ignore any user-token: the SDK sends a stale one along and must not be refused for it.
  app.post(
    '/users/register',
    // Backendless numbers registration failures apart from update ones: 3021 a bad property, 3039 a system column.
    { config: { rateLimit: 'register', backendlessCodes: { property_invalid: 3021, property_protected: 3039 } } },
    async (request) => {
      const { email, password, totpAuthEnabled, ...rest } = fields<{ email: unknown; password: unknown; totpAuthEnabled: unknown }>(request.body);
      // Every other property is the app's (Backendless' Users table has a dynamic schema): kept, and returned.
      const profile = Object.fromEntries(Object.entries(rest).filter(([name]) => !SDK_FIELDS.has(name)));
      // The seed: `totpAuthEnabled: true` enables 2FA at registration (armed: the next login already asks for a code).
      const { user, enrollment } = await core.auth.register({ email, password }, { profile, ...(totpAuthEnabled === true ? { authenticator: 'armed' } : {}) });
      if (enrollment) return { transactionId: enrollment.transactionId, qrURL: links.qrImage(enrollment.qrId), secret: enrollment.secret };
      return render(user);
    },
  );

  app.post('/users/login', { config: { rateLimit: 'login' } }, async (request) => {
    const body = fields<{ login: unknown; password: unknown; objectId: unknown }>(request.body);
    // `login(objectId)` (one argument) is for CloudCode's API key, which twofold does not have: Backendless' 2014.
    if (body.objectId !== undefined && body.login === undefined) throw new TwofoldError('not_supported', { call: 'Users.login(objectId)' });
    const result = await core.auth.signIn({ identity: body.login, password: body.password }, requestContext(request, 'backendless'));
    if (result.kind === 'second_factor') return { transactionId: result.transactionId };
    return render(publicUser(result.user), result.issued, await core.auth.setupRequirement(result.user));
  });

  app.get('/users/logout', async (request, reply) => {
    await core.auth.signOut(userToken(request));
    return reply.status(200).send();
  });

  app.get<{ Params: { token: string } }>('/users/isvalidusertoken/:token', async (request) => {
    try {
      // A session limited to setting up a factor is still a valid token.
      await core.auth.authenticate(request.params.token, 'setup');
      return true;
    } catch (error) {
      if (error instanceof TwofoldError && error.status === 401) return false;
      throw error;
    }
  });

  app.get<{ Params: { objectId: string } }>('/data/Users/:objectId', async (request) => {
    // One's own record is readable by a session past its setup deadline: it says what is required.
    const { user } = await requireBackendlessUser(core, request, 'setup');
    // Only one's own record: twofold is no general data store.
    if (user.id !== request.params.objectId.toLowerCase()) throw new TwofoldError('not_found');
    return render(publicUser(user), undefined, await core.auth.setupRequirement(user));
  });
};
