import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/index.ts';
import { forgotPassword } from '../ddp/password-reset-methods.ts';
import { ddpErrors } from '../ddp/errors.ts';
import { requestContext } from '../rest/request-context.ts';

/**
 * `users.forgotPassword` `{email}`: the "Forgot your password?" of Rocket.Chat's mobile and web clients. No login;
 * `{success: true}` for any address (a known one gets the mail with the reset link), limited per IP and per
 * address like the native `POST /v1/password-resets`.
 */
export const passwordResetRoutes: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  app.post('/users.forgotPassword', { schema: { hide: true }, config: { rateLimit: 'accountMail' } }, async (request) => {
    const email = (request.body as { email?: unknown } | undefined)?.email;
    if (typeof email !== 'string' || email.trim() === '') throw ddpErrors.parameterRequired('forgotPassword', 'email');
    await forgotPassword(core, email, requestContext(request, 'rocketchat'));
    return { success: true };
  });
};
