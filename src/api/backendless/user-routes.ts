import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/index.ts';
import { TwofoldError } from '../../core/errors.ts';
import { publicUser } from '../../core/users/user.ts';
import { requestContext } from '../rest/request-context.ts';
import type { Links } from '../http/links.ts';
import { requireBackendlessUser, userToken } from './session.ts';
import { backendlessUser } from './user-json.ts';

interface RegisterBody {
  email?: unknown;
  password?: unknown;
  totpAuthEnabled?: unknown;
  [extra: string]: unknown;
}

/** Backendless bodies carry whatever user properties an app adds; read only ours, ignore the rest. */
function fields<T extends object>(body: unknown): Partial<T> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Partial<T>) : {};
}

/** `users/*` and `data/Users/:id`, as the real `backendless` SDK calls them. */
export const backendlessUserRoutes: FastifyPluginAsync<{ core: Core; links: Links }> = async (app, { core, links }) => {
  // Register and login ignore any user-token: the SDK sends a stale one along and must not be refused for it.
  app.post('/users/register', { config: { rateLimit: 'register' } }, async (request) => {
    const body = fields<RegisterBody>(request.body);
    const input = { email: body.email, password: body.password };
    // The seed: `totpAuthEnabled: true` enables 2FA at registration (armed: the next login already asks for a code).
    const { user, enrollment } = await core.auth.register(input, body.totpAuthEnabled === true ? { authenticator: 'armed' } : {});
    if (enrollment) return { transactionId: enrollment.transactionId, qrURL: links.qrImage(enrollment.qrId), secret: enrollment.secret };
    return backendlessUser(user);
  });

  app.post('/users/login', { config: { rateLimit: 'login' } }, async (request) => {
    const body = fields<{ login: unknown; password: unknown }>(request.body);
    const result = await core.auth.signIn({ identity: body.login, password: body.password }, requestContext(request, 'backendless'));
    if (result.kind === 'second_factor') return { transactionId: result.transactionId };
    return backendlessUser(publicUser(result.user), result.issued.token);
  });

  app.get('/users/logout', async (request, reply) => {
    await core.auth.signOut(userToken(request));
    return reply.status(200).send();
  });

  app.get<{ Params: { token: string } }>('/users/isvalidusertoken/:token', async (request) => {
    try {
      await core.auth.authenticate(request.params.token);
      return true;
    } catch (error) {
      if (error instanceof TwofoldError && error.status === 401) return false;
      throw error;
    }
  });

  app.get<{ Params: { objectId: string } }>('/data/Users/:objectId', async (request) => {
    const { user } = await requireBackendlessUser(core, request);
    // Only one's own record: twofold is no general data store.
    if (user.id !== request.params.objectId.toLowerCase()) throw new TwofoldError('not_found');
    return backendlessUser(publicUser(user));
  });
};
