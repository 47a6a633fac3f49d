import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Core } from '../../../core/index.ts';
import { errorResponseSchema } from '../errors.ts';
import { bearerToken, requestContext } from '../request-context.ts';
import { CodeInput, IssuedSessionSchema, Password, SecondFactorRequiredSchema, issuedSessionJson } from '../schemas.ts';

export const sessionRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  app.post(
    '/sessions',
    {
      config: { rateLimit: 'login' },
      schema: {
        summary: 'Sign in with a password',
        description: 'The `login` is an email address or a username. Unknown users and wrong passwords get the same error.',
        tags: ['sessions'],
        body: Type.Object(
          { login: Type.String({ minLength: 1, maxLength: 254 }), password: Password },
          { additionalProperties: false },
        ),
        response: {
          201: IssuedSessionSchema,
          202: SecondFactorRequiredSchema,
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const result = await core.loginWithPassword(
        { identity: request.body.login, password: request.body.password },
        requestContext(request, 'rest'),
      );
      if (result.kind === 'second_factor') {
        return reply.status(202).send({
          secondFactorRequired: true as const,
          transactionId: result.transactionId,
          expiresAt: result.expiresAt.toISOString(),
          methods: result.methods,
        });
      }
      return reply.status(201).send(issuedSessionJson(result.user, result.issued));
    },
  );

  app.post(
    '/sessions/second-factor',
    {
      config: { rateLimit: 'verify' },
      schema: {
        summary: 'Finish signing in with a second-factor code',
        description:
          'Completes the transaction from `POST /sessions` (or from a registration with `totp: true`) with a code from the ' +
          'authenticator app or a backup code. A transaction lives 5 minutes and survives 5 wrong codes.',
        tags: ['sessions'],
        body: Type.Object(
          {
            transactionId: Type.String({ maxLength: 256 }),
            code: CodeInput,
            method: Type.Optional(Type.Union([Type.Literal('totp'), Type.Literal('email')])),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Intersect([IssuedSessionSchema, Type.Object({ backupCodes: Type.Optional(Type.Array(Type.String())) })]),
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
          404: errorResponseSchema,
          409: errorResponseSchema,
          410: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const result = await core.completeSecondFactor(request.body, requestContext(request, 'rest'));
      return reply.status(201).send({
        ...issuedSessionJson(result.user, result.issued),
        ...(result.backupCodes ? { backupCodes: result.backupCodes } : {}),
      });
    },
  );

  app.delete(
    '/sessions/current',
    {
      schema: {
        summary: 'Sign out (revoke the session of this bearer token)',
        tags: ['sessions'],
        security: [{ bearer: [] }],
        response: { 204: Type.Null(), 401: errorResponseSchema },
      },
    },
    async (request, reply) => {
      await core.logout(bearerToken(request));
      return reply.status(204).send(null);
    },
  );
};
