import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HeldChangeSchema, replyChange } from './factor-changes.ts';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Core, SessionAccess } from '../../../core/index.ts';
import type { WebAuthnCredential } from '../../../core/factors/webauthn/store.ts';
import { errorResponseSchema } from '../errors.ts';
import { bearerToken } from '../request-context.ts';
import { WebAuthnCreationOptions, WebAuthnCredentialSchema as CredentialSchema, WebAuthnResponse } from '../schemas.ts';
import { ProofBody, emptyBodyAsObject, restAsker } from '../proof.ts';

function credentialJson(key: WebAuthnCredential) {
  return {
    id: key.id,
    name: key.name,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    deviceType: key.deviceType,
    backedUp: key.backedUp,
    transports: key.transports,
  };
}

/** Passkeys and security keys of the signed-in user: register, list, rename, remove. */
export const webauthnRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const secured = { tags: ['webauthn'], security: [{ bearer: [] }] };
  const errors = { 400: errorResponseSchema, 401: errorResponseSchema, 403: errorResponseSchema, 404: errorResponseSchema, 409: errorResponseSchema };

  /** The caller, and the fresh second factor it sent (if any). */
  // Registering a key (and listing them) is what a session past its setup deadline may still do.
  async function caller(request: FastifyRequest, body: Parameters<typeof restAsker>[2], access: SessionAccess = 'full') {
    const { user, session } = await core.auth.authenticate(bearerToken(request), access);
    return { user, proof: restAsker(request, session, body) };
  }

  app.post(
    '/me/webauthn/registration-options',
    {
      config: { rateLimit: 'verify' },
      schema: {
        ...secured,
        summary: 'Options to register a new passkey or security key',
        description:
          'Pass them to `navigator.credentials.create()` (e.g. `startRegistration` of @simplewebauthn/browser) and send the ' +
          'answer to `POST /me/webauthn/credentials`. A user who already has a second factor proves it first (401 ' +
          '`second_factor_required` with the challenge; a session that just passed one is let through).',
        body: ProofBody,
        response: { 200: WebAuthnCreationOptions, ...errors },
      },
      preValidation: emptyBodyAsObject,
    },
    async (request) => {
      const { user, proof } = await caller(request, request.body, 'setup');
      return core.factors.webauthn.registrationOptions(user.id, proof);
    },
  );

  app.post(
    '/me/webauthn/credentials',
    {
      config: { rateLimit: 'verify' },
      schema: {
        ...secured,
        summary: 'Register the new key with the answer to the registration options',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), response: WebAuthnResponse }, { additionalProperties: false }),
        description: '201 with the key when it is stored now; 202 `{credential, pendingUntil}` when the veto window holds it.',
        response: { 201: CredentialSchema, 202: Type.Object({ credential: CredentialSchema, pendingUntil: HeldChangeSchema.properties.pendingUntil }), ...errors },
      },
    },
    async (request, reply) => {
      const { user, proof } = await caller(request, undefined, 'setup');
      const key = await core.factors.webauthn.register(user.id, request.body.name, request.body.response, proof.context, proof.session?.id ?? null);
      if (key.pendingUntil) return reply.status(202).send({ credential: credentialJson(key), pendingUntil: key.pendingUntil.toISOString() });
      return reply.status(201).send(credentialJson(key));
    },
  );

  app.get(
    '/me/webauthn/credentials',
    { schema: { ...secured, summary: "The user's passkeys and security keys", response: { 200: Type.Object({ credentials: Type.Array(CredentialSchema) }), 401: errorResponseSchema } } },
    async (request) => {
      const { user } = await caller(request, undefined, 'setup');
      return { credentials: (await core.factors.webauthn.list(user.id)).map(credentialJson) };
    },
  );

  app.patch(
    '/me/webauthn/credentials/:id',
    {
      schema: {
        ...secured,
        summary: 'Rename a passkey or security key',
        description:
          'A label only: the session is enough, no fresh second factor. The name is trimmed; another key of the user with ' +
          'the same name (letter case aside) is 409 `webauthn_name_taken`, as it is when registering.',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: CredentialSchema, ...errors },
      },
    },
    async (request) => {
      const { user } = await caller(request, undefined);
      return credentialJson(await core.factors.webauthn.rename(user.id, request.params.id, request.body.name));
    },
  );

  app.post(
    '/me/webauthn/credentials/:id/remove',
    {
      config: { rateLimit: 'verify' },
      schema: {
        ...secured,
        summary: 'Remove a passkey or security key (needs a fresh second factor)',
        description:
          'Without a proof the answer is 401 `second_factor_required`; ask with `{method: "webauthn"}` to get the options ' +
          'to answer in `details.webauthn`, then send `{method: "webauthn", webauthn: <answer>}` (or a code). Other sessions ' +
          'end and remembered devices are forgotten. 202 `{pendingUntil}` when the veto window holds the change.',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: ProofBody,
        response: { 204: Type.Null(), 202: HeldChangeSchema, ...errors },
      },
      preValidation: emptyBodyAsObject,
    },
    async (request, reply) => {
      const { user, proof } = await caller(request, request.body);
      replyChange(reply, await core.factors.webauthn.remove(user.id, request.params.id, proof));
    },
  );
};
