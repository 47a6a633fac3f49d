import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Core } from '../../../core/index.ts';
import { errorResponseSchema } from '../errors.ts';
import { requestContext } from '../request-context.ts';
import { Email, OpaqueToken, Password } from '../schemas.ts';

/**
 * The link a reset mail carries: the account page, with the token in the URL fragment. A fragment never
 * leaves the browser (no request line, no server or proxy log, no Referer); the page reads it, clears it from
 * the address bar and sends it to `POST /v1/password-resets/confirm`.
 */
export function passwordResetLink(publicUrl: string, token: string): string {
  return `${publicUrl}/#reset=${encodeURIComponent(token)}`;
}

export const passwordResetRoutes: FastifyPluginAsyncTypebox<{ core: Core; linkValidSeconds: number }> = async (app, { core, linkValidSeconds }) => {
  app.post(
    '/password-resets',
    {
      config: { rateLimit: 'accountMail' },
      schema: {
        summary: 'Ask for a password reset link (202 for any address)',
        description:
          'Mails a single-use link to the account at this address, if there is one: `<PUBLIC_URL>/#reset=<token>`, ' +
          'valid `linkValidSeconds`. The answer is the same, in the same time, for an unknown or disabled address ' +
          '(nobody learns who is registered). Limited per IP (`RATE_LIMIT_ACCOUNT_MAIL`) and per address ' +
          '(`RATE_LIMIT_ACCOUNT_MAIL_TARGET`), for unknown addresses alike.',
        tags: ['users'],
        body: Type.Object({ email: Email }, { additionalProperties: false }),
        response: {
          202: Type.Object({ linkValidSeconds: Type.Integer({ description: 'How long a mailed link works.' }) }),
          400: errorResponseSchema,
          429: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      await core.auth.requestPasswordReset(request.body.email, requestContext(request, 'rest'));
      return reply.status(202).send({ linkValidSeconds });
    },
  );

  app.post(
    '/password-resets/confirm',
    {
      config: { rateLimit: 'emailVerification' },
      schema: {
        summary: 'Set a new password with the token of a reset link',
        description:
          'The token is single use. The password follows the password policy (`GET /policy`). Every session and ' +
          'remembered device of the account ends, pending sign-ins die, and the user is told by mail. Nobody is signed ' +
          'in: sign in with the new password, and a user with a second factor is still asked for it. Following the ' +
          'link also verifies the address. A used, expired or unknown token is `400 reset_token_invalid`.',
        tags: ['users'],
        body: Type.Object({ token: OpaqueToken, password: Password }, { additionalProperties: false }),
        response: { 204: Type.Null(), 400: errorResponseSchema, 429: errorResponseSchema },
      },
    },
    async (request, reply) => {
      await core.auth.resetPassword(request.body.token, request.body.password, requestContext(request, 'rest'));
      return reply.status(204).send(null);
    },
  );
};
