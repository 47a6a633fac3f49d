import type { FastifyPluginAsync, HTTPMethods } from 'fastify';
import { TwofoldError } from '../../core/errors.ts';

/**
 * The SDK's user-service calls twofold does not offer, by the request each makes (backendless v8, `src/urls.js`).
 * Each answers a Backendless error naming the call (errors.ts gives some Backendless' own number), never the
 * 1000 of an unknown route: an app's developer learns at once what is missing, not that something is wrong.
 */
const CALLS: { method: HTTPMethods; url: string; call: string | ((body: unknown) => string) }[] = [
  { method: 'POST', url: '/users/register/guest', call: 'Users.loginAsGuest' },
  { method: 'POST', url: '/users/verifypassowrd', call: 'Users.verifyPassword' },
  { method: 'POST', url: '/users/createEmailConfirmationURL/:identity', call: 'Users.createEmailConfirmationURL' },
  { method: 'GET', url: '/users/userroles', call: 'Users.getUserRoles' },
  { method: 'GET', url: '/users/userroles/:userId', call: 'Users.getUserRoles' },
  { method: 'GET', url: '/users/role/:roleName', call: 'Users.findByRole' },
  { method: 'POST', url: '/users/assignRole', call: 'Users.assignRole' },
  { method: 'POST', url: '/users/unassignRole', call: 'Users.unassignRole' },
  { method: 'PUT', url: '/users/:objectId/status', call: (body) => (statusOf(body) === 'DISABLED' ? 'Users.disableUser' : 'Users.enableUser') },
  { method: 'POST', url: '/users/social/oauth/:provider/request_url', call: 'Users.loginWithFacebook / loginWithGooglePlus / loginWithTwitter' },
  { method: 'POST', url: '/users/social/:provider/sdk/login', call: 'Users.loginWithFacebookSdk / loginWithGooglePlusSdk' },
  { method: 'POST', url: '/users/social/:provider/login', call: 'Users.loginWithOauth2 / loginWithOauth1' },
  { method: 'POST', url: '/users/oauth/:provider/request_url', call: 'Users.getAuthorizationUrlLink' },
];

function statusOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as { userStatus?: unknown }).userStatus : undefined;
}

export const backendlessUnsupportedCalls: FastifyPluginAsync = async (app) => {
  for (const { method, url, call } of CALLS) {
    app.route({
      method,
      url,
      // Not features: kept out of the OpenAPI document.
      schema: { hide: true },
      handler: async (request) => {
        throw new TwofoldError('not_supported', { call: typeof call === 'string' ? call : call(request.body) });
      },
    });
  }
  // Any other `users/…` request: a user-service call of some SDK version, named by its path.
  app.all('/users/*', { schema: { hide: true } }, async (request) => {
    const path = request.url.split('?')[0]!.replace(/^.*?\/users\//, 'users/');
    throw new TwofoldError('not_supported', { call: `${request.method} ${path}` });
  });
};
