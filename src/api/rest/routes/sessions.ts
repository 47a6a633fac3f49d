import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { parseProof, type Core } from '../../../core/index.ts';
import { errorResponseSchema } from '../errors.ts';
import { bearerToken, requestContext } from '../request-context.ts';
import { CodeInput, IssuedSessionSchema, Password, SecondFactorRequiredSchema, WebAuthnRequestOptions, WebAuthnResponse, issuedSessionJson } from '../schemas.ts';
import { deviceCookie, presentedDeviceToken } from '../device-cookie.ts';
import type { Links } from '../../http/links.ts';
import { setupRequiredJson } from '../setup-required.ts';

/** A completed sign-in: the session, and what it issued along (backup codes of a new authenticator, a device token). */
const SignedInSchema = Type.Intersect([
  IssuedSessionSchema,
  Type.Object({
    backupCodes: Type.Optional(Type.Array(Type.String())),
    device: Type.Optional(Type.Object({ id: Type.String({ format: 'uuid' }), token: Type.String(), expiresAt: Type.String({ format: 'date-time' }) })),
  }),
]);

export const sessionRoutes: FastifyPluginAsyncTypebox<{ core: Core; links: Links }> = async (app, { core, links }) => {
  app.post(
    '/sessions',
    {
      config: { rateLimit: 'login' },
      schema: {
        summary: 'Sign in with a password',
        description:
          'The `login` is an email address or a username. Unknown users and wrong passwords get the same error. ' +
          'A remembered device (its token in the `X-Twofold-Device` header or the `twofold_device` cookie) skips the ' +
          'second factor for its own user; any other token is ignored.',
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
      const result = await core.auth.signIn({ identity: request.body.login, password: request.body.password }, requestContext(request, 'rest'), {
        deviceToken: presentedDeviceToken(request),
      });
      if (result.kind === 'second_factor') {
        return reply.status(202).send({
          secondFactorRequired: true as const,
          transactionId: result.transactionId,
          expiresAt: result.expiresAt.toISOString(),
          methods: result.methods,
          rememberDeviceDays: result.rememberDeviceDays,
        });
      }
      return reply.status(201).send({ ...issuedSessionJson(result.user, result.issued, core), ...setupRequiredJson(await core.auth.setupRequirement(result.user)) });
    },
  );

  app.post(
    '/sessions/second-factor',
    {
      // Counted by the answer's own write: a sign-in's second factor is one read and one write.
      config: { rateLimit: 'verify', rateLimitCountedBy: 'answer' },
      schema: {
        summary: 'Finish signing in with a second factor',
        description:
          'Completes the transaction from `POST /sessions` (or from a registration with `totp: true`) with a code from the ' +
          'authenticator app, a backup code, an email code (`method: "email"`), or a passkey / security key ' +
          '(`method: "webauthn"` and the browser\'s answer to `POST /sessions/webauthn-options` in `webauthn`). ' +
          'A transaction lives 5 minutes and survives 5 wrong answers. With `rememberDevice: true` the answer carries a ' +
          'device token (also set as the `twofold_device` cookie) that skips the second factor at later sign-ins.',
        tags: ['sessions'],
        body: Type.Object(
          {
            transactionId: Type.String({ maxLength: 256 }),
            code: Type.Optional(CodeInput),
            method: Type.Optional(Type.Union([Type.Literal('totp'), Type.Literal('backup'), Type.Literal('email'), Type.Literal('webauthn')])),
            webauthn: Type.Optional(WebAuthnResponse),
            rememberDevice: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: {
          200: SignedInSchema,
          201: SignedInSchema,
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
      const { transactionId, rememberDevice } = request.body;
      const proof = parseProof(request.body, { passwordCode: 'plain' });
      const result = await core.auth.completeSecondFactor({ transactionId, proof, rememberDevice: rememberDevice === true }, requestContext(request, 'rest'));
      const device = result.device;
      if (device) reply.header('set-cookie', deviceCookie(request, device, result.issued.session.createdAt, links.publicHttps));
      // A repeat of the request that completed the transaction (its answer was lost) gets the same result, as 200.
      return reply.status(result.repeated ? 200 : 201).send({
        ...issuedSessionJson(result.user, result.issued, core),
        ...setupRequiredJson(await core.auth.setupRequirement(result.user)),
        ...(result.backupCodes ? { backupCodes: result.backupCodes } : {}),
        ...(device ? { device: { id: device.device.id, token: device.token, expiresAt: device.device.expiresAt.toISOString() } } : {}),
      });
    },
  );

  app.post(
    '/sessions/webauthn-options',
    {
      config: { rateLimit: 'verify' },
      schema: {
        summary: 'Options to finish signing in with a passkey or security key',
        description:
          'For a pending transaction from `POST /sessions` whose `methods` include `webauthn`: pass the answer to ' +
          '`navigator.credentials.get()` (e.g. `startAuthentication` of @simplewebauthn/browser), then send the result to ' +
          '`POST /sessions/second-factor` with `method: "webauthn"`. The challenge is single use and bound to the transaction.',
        tags: ['sessions', 'webauthn'],
        body: Type.Object({ transactionId: Type.String({ maxLength: 256 }) }, { additionalProperties: false }),
        response: { 200: WebAuthnRequestOptions, 400: errorResponseSchema, 403: errorResponseSchema, 404: errorResponseSchema, 409: errorResponseSchema, 410: errorResponseSchema },
      },
    },
    async (request) => core.auth.webauthnOptions(request.body.transactionId),
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
      await core.auth.signOut(bearerToken(request));
      return reply.status(204).send(null);
    },
  );
};
