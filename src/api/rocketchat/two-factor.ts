import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/index.ts';
import { isTwofoldError } from '../../core/errors.ts';
import { ddpErrors } from '../ddp/errors.ts';
import { requireRestLogin, restChatAsker } from './session.ts';

/** `users.2fa.*`: email codes over Rocket.Chat's REST API (its web client's "resend code" and account-security page). */
export const twoFactorRoutes: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  /**
   * No login needed. Known and unknown users get the same `{success: true}` (current Rocket.Chat; no user oracle);
   * a known user with email codes gets the mail. The per-IP and per-target limits stop it being a mail cannon.
   */
  app.post('/users.2fa.sendEmailCode', { schema: { hide: true }, config: { rateLimit: 'sendEmailCode' } }, async (request) => {
    const value = (request.body as { emailOrUsername?: unknown } | undefined)?.emailOrUsername;
    if (typeof value !== 'string' || value.trim() === '') throw ddpErrors.parameterRequired('sendEmailCode', 'emailOrUsername');
    await core.factors.email.sendCode(value).catch((error: unknown) => {
      if (!isTwofoldError(error) || error.code !== 'user_not_found') throw error;
    });
    return { success: true };
  });

  // Both change a factor: the policy table asks for a proof of an existing factor (or, with none, the password),
  // sent as `x-2fa-code` / `x-2fa-method`; without it the 400 `totp-required` makes the REST client ask and retry.
  app.post('/users.2fa.enableEmail', { schema: { hide: true }, config: { rateLimit: 'verify' } }, async (request) => {
    // Setting up a factor: what a session past its setup deadline may still do.
    const { user, session } = await requireRestLogin(core, request, 'setup');
    await core.factors.email.enable(user.id, restChatAsker(request, session));
    return { success: true };
  });

  app.post('/users.2fa.disableEmail', { schema: { hide: true }, config: { rateLimit: 'verify' } }, async (request) => {
    const { user, session } = await requireRestLogin(core, request);
    await core.factors.email.disable(user.id, restChatAsker(request, session));
    return { success: true };
  });
};
