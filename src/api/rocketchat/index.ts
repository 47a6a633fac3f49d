import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Core } from '../../core/index.ts';
import type { MethodHandler } from '../ddp/types.ts';
import { acceptEmptyJson, acceptFormBodies } from '../http/json-bodies.ts';
import { installRocketChatErrors } from './errors.ts';
import { loginRoutes } from './login.ts';
import { methodCallRoutes } from './method-call.ts';
import { passwordResetRoutes } from './password-reset.ts';
import { twoFactorRoutes } from './two-factor.ts';

export interface RocketChatApiOptions {
  core: Core;
  /** The DDP registry's methods, served again by `method.call`. */
  ddpMethods: ReadonlyMap<string, MethodHandler>;
  logger: Logger;
}

/**
 * Rocket.Chat's REST API as its mobile app, `@rocket.chat/api-client` and its web client use it for sign-in and
 * two-factor (`../shared/spec/rocketchat.md`), under `/api/v1`: the same core and sessions as the DDP façade, so a
 * DDP resume token is an `X-Auth-Token` and the other way round. Its routes are described in docs/rocketchat.md,
 * not in the native API's OpenAPI document.
 */
export const rocketChatApi: FastifyPluginAsync<RocketChatApiOptions> = async (app, { core, ddpMethods, logger }) => {
  installRocketChatErrors(app);
  // Its clients post `enableEmail`, `disableEmail` and `logout` as JSON with no body; `curl -d` sends a form.
  acceptEmptyJson(app);
  acceptFormBodies(app);
  await app.register(loginRoutes, { core });
  await app.register(twoFactorRoutes, { core });
  await app.register(passwordResetRoutes, { core });
  await app.register(methodCallRoutes, { core, methods: ddpMethods, logger });
};
