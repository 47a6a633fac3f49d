import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Core } from '../../../core/index.ts';
import { errorResponseSchema } from '../errors.ts';
import { bearerToken } from '../request-context.ts';
import { ProofBody, ProofFields, emptyBodyAsObject, restAsker } from '../proof.ts';
import { SetupRequiredSchema, setupRequiredJson } from '../setup-required.ts';
import { pendingFactorChangeJson } from './factor-changes.ts';
import { Password, PendingFactorChangeSchema, ProfileSchema, SecurityEventSchema, SessionSchema, UserSchema, sessionJson, userJson } from '../schemas.ts';

export const meRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const secured = { tags: ['me'], security: [{ bearer: [] }] };

  const MeSchema = Type.Object({
    user: UserSchema,
    profile: ProfileSchema,
    setupRequired: Type.Optional(SetupRequiredSchema),
    pendingFactorChanges: Type.Optional(Type.Array(PendingFactorChangeSchema, { description: 'Factor changes the veto window holds, soonest first (absent: none).' })),
  });

  app.get(
    '/me',
    { schema: { ...secured, summary: "The signed-in user and the app's properties of it", response: { 200: MeSchema, 401: errorResponseSchema } } },
    async (request) => {
      // Readable by a session past its setup deadline: it is where the page learns what is required.
      const { user } = await core.auth.authenticate(bearerToken(request), 'setup');
      const pending = await core.factorChanges.pending(user.id);
      return {
        user: userJson(user, core),
        profile: await core.users.profile(user.id),
        ...setupRequiredJson(await core.auth.setupRequirement(user)),
        ...(pending.length > 0 ? { pendingFactorChanges: pending.map(pendingFactorChangeJson) } : {}),
      };
    },
  );

  app.patch(
    '/me',
    {
      schema: {
        ...secured,
        summary: "Set, change or remove (with null) the app's properties of the signed-in user",
        description:
          'Only the properties named change; `null` removes one. The account itself (email, password, factors) is not ' +
          'changed here: its names are refused with 403 `property_protected`; a bad name or value, or too many, is 400 ' +
          '`property_invalid` with `details.property` and `details.rule`.',
        body: Type.Object({ profile: ProfileSchema }, { additionalProperties: false }),
        response: { 200: MeSchema, 400: errorResponseSchema, 401: errorResponseSchema, 403: errorResponseSchema },
      },
    },
    async (request) => {
      const { user } = await core.auth.authenticate(bearerToken(request));
      return { user: userJson(user, core), profile: await core.users.updateProfile(user.id, request.body.profile) };
    },
  );

  app.get(
    '/me/sessions',
    {
      schema: {
        ...secured,
        summary: "The signed-in user's live sessions",
        response: { 200: Type.Object({ sessions: Type.Array(SessionSchema) }), 401: errorResponseSchema },
      },
    },
    async (request) => {
      const { user, session } = await core.auth.authenticate(bearerToken(request));
      const sessions = await core.sessions.list(user.id);
      return { sessions: sessions.map((s) => sessionJson(s, session.id)) };
    },
  );

  app.delete(
    '/me/sessions/:id',
    {
      schema: {
        ...secured,
        summary: 'Revoke one of my sessions',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null(), 401: errorResponseSchema, 404: errorResponseSchema },
      },
    },
    async (request, reply) => {
      const { user } = await core.auth.authenticate(bearerToken(request));
      await core.sessions.revoke(user.id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/me/sessions/revoke-others',
    {
      schema: {
        ...secured,
        summary: 'Sign out all my other sessions (needs a fresh second factor); remembered devices are forgotten',
        description:
          'Without a proof the answer is 401 `second_factor_required` with the challenge (for a user without a factor, the ' +
          'password: `{method: "password", password}`). This session stays.',
        body: ProofBody,
        response: { 204: Type.Null(), 400: errorResponseSchema, 401: errorResponseSchema, 429: errorResponseSchema },
      },
      preValidation: emptyBodyAsObject,
    },
    async (request, reply) => {
      const { user, session } = await core.auth.authenticate(bearerToken(request));
      await core.sessions.revokeOthers(user.id, restAsker(request, session, request.body));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/me/password',
    {
      schema: {
        ...secured,
        summary: 'Change my password (needs the current one and a fresh second factor; ends my other sessions)',
        body: Type.Object(
          {
            currentPassword: Password,
            newPassword: Password,
            ...ProofFields,
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), 400: errorResponseSchema, 401: errorResponseSchema, 429: errorResponseSchema },
      },
    },
    async (request, reply) => {
      const { user, session } = await core.auth.authenticate(bearerToken(request));
      const { currentPassword, newPassword } = request.body;
      await core.users.changePassword(user.id, { currentPassword, newPassword }, restAsker(request, session, request.body));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me/events',
    {
      schema: {
        ...secured,
        summary: 'My recent security events (sign-ins, challenges, factor changes, lockouts), newest first',
        querystring: Type.Object({
          limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
          before: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: { 200: Type.Object({ events: Type.Array(SecurityEventSchema) }), 401: errorResponseSchema },
      },
    },
    async (request) => {
      const { user } = await core.auth.authenticate(bearerToken(request));
      const limit = Math.min(200, Math.max(1, Number(request.query.limit ?? 50)));
      const before = request.query.before ? new Date(request.query.before) : undefined;
      const events = await core.users.events(user.id, { limit, ...(before ? { before } : {}) });
      return {
        events: events.map((e) => ({ kind: e.kind, at: e.createdAt.toISOString(), client: e.client, ip: e.ip, userAgent: e.userAgent, details: e.details })),
      };
    },
  );

  app.post(
    '/me/email-verification',
    {
      schema: {
        ...secured,
        summary: 'Send the email verification link again',
        response: { 202: Type.Object({ sent: Type.Boolean() }), 401: errorResponseSchema, 409: errorResponseSchema, 503: errorResponseSchema },
      },
    },
    async (request, reply) => {
      // A verified address is what email codes need: part of setting up a factor.
      const { user } = await core.auth.authenticate(bearerToken(request), 'setup');
      await core.auth.resendVerification(user.id);
      return reply.status(202).send({ sent: true });
    },
  );
};
