import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Core } from '../../../core/index.ts';
import { errorResponseSchema } from '../errors.ts';
import { Email, Password, ProfileSchema, TotpEnrollmentSchema, UserSchema, totpEnrollmentJson, userJson } from '../schemas.ts';
import type { Links } from '../../http/links.ts';
import { passwordPolicy } from '../../../core/password.ts';

export const userRoutes: FastifyPluginAsyncTypebox<{ core: Core; links: Links }> = async (app, { core, links }) => {
  app.post(
    '/users',
    {
      config: { rateLimit: 'register' },
      schema: {
        summary: 'Register a user',
        description:
          'Creates an account and mails a link that verifies the address. ' +
          `The password policy: ${passwordPolicy.minLength} to ${passwordPolicy.maxLength} characters (also in \`GET /policy\`). ` +
          'With `totp: true` the answer also holds a new authenticator secret; the first code from it, sent with the ' +
          'transaction to `POST /sessions/second-factor`, confirms it and signs the user in. `profile` holds the ' +
          "app's own properties of the user (see `PATCH /me`).",
        tags: ['users'],
        body: Type.Object(
          {
            email: Email,
            password: Password,
            username: Type.Optional(Type.String({ maxLength: 64 })),
            totp: Type.Optional(Type.Boolean()),
            profile: Type.Optional(ProfileSchema),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ user: UserSchema, profile: ProfileSchema, verificationMailSent: Type.Boolean(), totp: Type.Optional(TotpEnrollmentSchema) }),
          400: errorResponseSchema,
          403: errorResponseSchema,
          409: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const { totp, profile: properties, ...input } = request.body;
      const { record, profile, enrollment, verificationMailSent } = await core.auth.register(input, {
        conceal: true,
        ...(totp ? { authenticator: 'pending' } : {}),
        ...(properties ? { profile: properties } : {}),
      });
      return reply.status(201).send({ user: userJson(record, core), profile, verificationMailSent, ...(enrollment ? { totp: totpEnrollmentJson(enrollment, links) } : {}) });
    },
  );
};
