import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HeldChangeSchema, PendingUntil, pendingUntilJson, replyChange } from './factor-changes.ts';
import Type from 'typebox';
import type { Core } from '../../../core/index.ts';
import { isTwofoldError } from '../../../core/errors.ts';
import { errorResponseSchema } from '../errors.ts';
import { bearerToken } from '../request-context.ts';
import { ProofBody, ProofFields, emptyBodyAsObject, restAsker } from '../proof.ts';

/**
 * Email codes and the generic step-up check: the REST side of the second-factor guard, for apps that
 * protect their own sensitive actions. Without a code the answer is 401 `second_factor_required` with
 * the challenge details (and, for email, a code in the user's inbox).
 */
export const stepUpRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const secured = { security: [{ bearer: [] }] };
  const challengeErrors = { 400: errorResponseSchema, 401: errorResponseSchema, 403: errorResponseSchema, 409: errorResponseSchema };

  app.post(
    '/me/step-up',
    {
      config: { rateLimit: 'verify' },
      schema: {
        ...secured,
        tags: ['second factor'],
        summary: "Check that the signed-in user's code satisfies an operation of your app",
        description:
          'Send `{operation, code?, method?}` (or the code in `x-2fa-code`; for a passkey, `method: "webauthn"` and the ' +
          "browser's answer to `details.webauthn` in `webauthn`). 200 means the user may proceed. " +
          '`weakensAccount: true` operations never use the remember-for grace.',
        body: Type.Object(
          {
            operation: Type.String({ minLength: 1, maxLength: 100 }),
            weakensAccount: Type.Optional(Type.Boolean()),
            ...ProofFields,
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ verified: Type.Literal(true) }), ...challengeErrors },
      },
    },
    async (request) => {
      const { user, session } = await core.auth.authenticate(bearerToken(request));
      await core.challenge.require({
        userId: user.id,
        // A user with no factor proves the password (the policy table's rule for users without one).
        operation: { name: `app:${request.body.operation}`, weakensAccount: request.body.weakensAccount ?? false, passwordFallback: true },
        ...restAsker(request, session, request.body),
      });
      return { verified: true as const };
    },
  );

  app.post(
    '/me/email-2fa',
    {
      schema: {
        ...secured,
        tags: ['second factor'],
        summary: 'Turn on email codes (needs a verified email address, and a proof of an existing factor or the password)',
        body: ProofBody,
        response: { 200: Type.Object({ enabled: Type.Literal(true), pendingUntil: PendingUntil }), ...challengeErrors },
      },
      preValidation: emptyBodyAsObject,
    },
    async (request) => {
      const { user, session } = await core.auth.authenticate(bearerToken(request), 'setup');
      const outcome = await core.factors.email.enable(user.id, restAsker(request, session, request.body));
      return { enabled: true as const, ...pendingUntilJson(outcome) };
    },
  );

  app.post(
    '/me/email-2fa/disable',
    {
      schema: {
        ...secured,
        tags: ['second factor'],
        summary: 'Turn off email codes (needs a fresh second factor, never the remember-for grace)',
        description: '204 when done; 202 `{pendingUntil}` when the veto window holds the change.',
        body: ProofBody,
        response: { 204: Type.Null(), 202: HeldChangeSchema, ...challengeErrors },
      },
      preValidation: emptyBodyAsObject,
    },
    async (request, reply) => {
      const { user, session } = await core.auth.authenticate(bearerToken(request));
      replyChange(reply, await core.factors.email.disable(user.id, restAsker(request, session, request.body)));
    },
  );

  app.post(
    '/email-codes',
    {
      config: { rateLimit: 'sendEmailCode' },
      schema: {
        tags: ['second factor'],
        summary: 'Mail a new sign-in code to a user with email codes turned on',
        description: 'Answers 202 whether or not the user exists, so it reveals nothing about who is registered.',
        body: Type.Object({ emailOrUsername: Type.String({ minLength: 1, maxLength: 254 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ sent: Type.Literal(true) }), 400: errorResponseSchema, 503: errorResponseSchema },
      },
    },
    async (request, reply) => {
      // The same answer whoever asks: an unknown user is not told apart (threat 9).
      await core.factors.email.sendCode(request.body.emailOrUsername).catch((error: unknown) => {
        if (!isTwofoldError(error) || error.code !== 'user_not_found') throw error;
      });
      return reply.status(202).send({ sent: true as const });
    },
  );
};
