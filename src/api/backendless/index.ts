import { version } from '../../version.ts';
import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/index.ts';
import { TwofoldError } from '../../core/errors.ts';
import { acceptEmptyJson } from '../http/json-bodies.ts';
import type { Links } from '../http/links.ts';
import { checkAppCredentials, type AppCredentials } from './app-credentials.ts';
import { backendlessErrorBody, installBackendlessErrors } from './errors.ts';
import { backendlessTotpService } from './totp-service.ts';
import { backendlessUserRoutes } from './user-routes.ts';
import { backendlessAccountRoutes } from './account-routes.ts';
import { backendlessUnsupportedCalls } from './unsupported-calls.ts';
import { userRenderer } from './user-json.ts';

export interface BackendlessOptions {
  core: Core;
  links: Links;
  credentials: AppCredentials;
  /** REQUIRE_EMAIL_CONFIRMATION: an unverified user shows `userStatus: 'EMAIL_CONFIRMATION_PENDING'`. */
  requireEmailConfirmation?: boolean;
}

/**
 * The Backendless-compatible façade: what the real `backendless` SDK needs for the 2FA flow of the seed
 * document and the user-service calls an app makes around it (docs/backendless.md lists every call), under `/<appId>/<apiKey>/` (the usual `initApp(appId, apiKey)`) and `/api/` (the one-URL form).
 */
export const backendlessApi: FastifyPluginAsync<BackendlessOptions> = async (app, options) => {
  await app.register(scope(options, true), { prefix: '/:appId/:apiKey' });
  await app.register(scope(options, false), { prefix: '/api' });
};

function scope(options: BackendlessOptions, checkKeys: boolean): FastifyPluginAsync {
  return async (app) => {
    installBackendlessErrors(app);
    // `invoke('TOTP', 'enable2FA')` may POST an empty body labelled JSON.
    acceptEmptyJson(app);
    if (checkKeys) {
      app.addHook('onRequest', async (request) => {
        const { appId, apiKey } = request.params as { appId: string; apiKey: string };
        checkAppCredentials(options.credentials, appId, apiKey);
      });
    }
    app.setNotFoundHandler((request, reply) => {
      void reply.status(404).send(backendlessErrorBody(new TwofoldError('not_found', { url: request.url.split('?')[0] })));
    });
    // The SDK's first call after initApp: any JSON object will do.
    app.get('/info', async () => ({ name: 'twofold', compatibility: 'backendless', version }));
    const users = { core: options.core, links: options.links, render: userRenderer(options.core, options.requireEmailConfirmation ?? false) };
    await app.register(backendlessUserRoutes, users);
    await app.register(backendlessAccountRoutes, users);
    await app.register(backendlessUnsupportedCalls);
    await app.register(backendlessTotpService, users);
  };
}
