import type { Core } from '../../core/index.ts';
import { isTwofoldError } from '../../core/errors.ts';
import type { RequestContext } from '../../core/sessions/session.ts';
import { ddpContext } from './connection-session.ts';
import { ddpErrors } from './errors.ts';
import type { MethodHandler } from './types.ts';

/**
 * Rocket.Chat's "Forgot your password?", shared by its DDP method and its REST route: the core mails a reset link
 * (to twofold's account page) when the address has an account. Like Rocket.Chat, an address that names nobody,
 * or is no address at all, gets the same answer as a registered one: nobody learns who is registered.
 */
export async function forgotPassword(core: Core, to: string, context: RequestContext): Promise<void> {
  await core.auth.requestPasswordReset(to, context).catch((error: unknown) => {
    if (!isTwofoldError(error) || error.code !== 'invalid_email') throw error;
  });
}

/** `sendForgotPasswordEmail(to)`: true once asked (for any address), as current Rocket.Chat answers. */
export function passwordResetMethods(core: Core): Record<string, MethodHandler> {
  return {
    async sendForgotPasswordEmail(invocation, to) {
      if (typeof to !== 'string') throw ddpErrors.matchFailed();
      await forgotPassword(core, to, ddpContext(invocation.connection));
      return true;
    },
  };
}
