import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Core } from '../../../core/index.ts';
import { isTwofoldError } from '../../../core/errors.ts';
import { errorResponseSchema } from '../errors.ts';
import { Email, OpaqueToken, UserSchema, userJson } from '../schemas.ts';

export const VERIFY_LINK_PATH = '/v1/email-verification/confirm';

export const emailVerificationRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  app.post(
    '/email-verification',
    {
      config: { rateLimit: 'emailVerification' },
      schema: {
        summary: 'Confirm an email address with the token from the verification link',
        tags: ['users'],
        body: Type.Object({ token: OpaqueToken }, { additionalProperties: false }),
        response: { 200: Type.Object({ user: UserSchema }), 400: errorResponseSchema },
      },
    },
    async (request) => ({ user: userJson(await core.auth.confirmEmail(request.body.token)) }),
  );

  app.post(
    '/email-verification/resend',
    {
      config: { rateLimit: 'accountMail' },
      schema: {
        summary: 'Mail a new verification link to an address, without a session (202 for any address)',
        description:
          'For a user who cannot sign in yet (REQUIRE_EMAIL_CONFIRMATION) and lost the first mail. The answer is the same ' +
          'for an unknown, disabled or already verified address. Signed in, use `POST /me/email-verification`.',
        tags: ['users'],
        body: Type.Object({ email: Email }, { additionalProperties: false }),
        response: { 202: Type.Null(), 400: errorResponseSchema, 429: errorResponseSchema },
      },
    },
    async (request, reply) => {
      await core.auth.resendVerificationTo(request.body.email);
      return reply.status(202).send(null);
    },
  );

  // The link in the mail: a person clicks it and reads the answer in a browser.
  app.get(
    '/email-verification/confirm',
    {
      config: { rateLimit: 'emailVerification' },
      schema: {
        summary: 'The verification link itself (answers a small HTML page)',
        tags: ['users'],
        querystring: Type.Object({ token: OpaqueToken }),
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8');
      try {
        await core.auth.confirmEmail(request.query.token);
        return page('Email address verified', 'Thank you. Your email address is verified; you can close this page.');
      } catch (error) {
        if (!isTwofoldError(error) || error.code !== 'verification_token_invalid') throw error;
        void reply.status(400);
        return page('Link not valid', 'This verification link is invalid, expired or already used. Sign in and ask for a new one.');
      }
    },
  );
};

function page(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title></head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>`;
}
