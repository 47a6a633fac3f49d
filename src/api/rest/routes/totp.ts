import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import { parseProof, type Core, type SessionAccess } from '../../../core/index.ts';
import { ProofBody, emptyBodyAsObject, restAsker } from '../proof.ts';
import { errorResponseSchema } from '../errors.ts';
import { bearerToken } from '../request-context.ts';
import { CodeInput, TotpEnrollmentSchema, totpEnrollmentJson } from '../schemas.ts';
import type { Links } from '../../http/links.ts';
import { HeldChangeSchema, PendingUntil, pendingUntilJson, replyChange } from './factor-changes.ts';

const errors = { 400: errorResponseSchema, 401: errorResponseSchema, 409: errorResponseSchema };
const CodeBody = Type.Object({ code: CodeInput }, { additionalProperties: false });
const BackupCodes = Type.Object({ backupCodes: Type.Array(Type.String()) });
const ConfirmedCodes = Type.Object({ backupCodes: Type.Array(Type.String()), pendingUntil: PendingUntil });

/**
 * Authenticator-app (TOTP) factor of the signed-in user: enrol, confirm, disable, backup codes. Changing a factor
 * needs a proof of an existing one given now or within the step-up window (or, without any factor, the password):
 * without it the answer is 401 `second_factor_required` with the challenge.
 */
export const totpRoutes: FastifyPluginAsyncTypebox<{ core: Core; links: Links }> = async (app, { core, links }) => {
  const secured = { tags: ['totp'], security: [{ bearer: [] }] };
  // Enrolling (start, confirm, status) is what a session past its setup deadline may still do.
  const caller = async (request: FastifyRequest, body?: Parameters<typeof restAsker>[2], access: SessionAccess = 'full') => {
    const { user, session } = await core.auth.authenticate(bearerToken(request), access);
    return { userId: user.id, asker: restAsker(request, session, body) };
  };

  app.get(
    '/me/totp',
    {
      schema: {
        ...secured,
        summary: 'Whether an authenticator is enabled or awaiting confirmation, and backup codes left',
        response: { 200: Type.Object({ enabled: Type.Boolean(), pending: Type.Boolean(), backupCodesRemaining: Type.Integer() }), 401: errorResponseSchema },
      },
    },
    async (request) => core.factors.totp.status((await core.auth.authenticate(bearerToken(request), 'setup')).user.id),
  );

  app.post(
    '/me/totp',
    {
      schema: {
        ...secured,
        summary: 'Start enrolling an authenticator app',
        description:
          'Returns a new secret (also as an otpauth:// URI and a QR image URL served by this server for 10 minutes). ' +
          'Nothing changes until a code from it is confirmed with `POST /me/totp/confirm`; an active authenticator keeps working until then. ' +
          'Needs a proof of an existing factor (or, for a user without one, the password), given here or within the step-up window.',
        body: ProofBody,
        response: { 201: TotpEnrollmentSchema, ...errors },
      },
      preValidation: emptyBodyAsObject,
    },
    async (request, reply) => {
      const { userId, asker } = await caller(request, request.body, 'setup');
      return reply.status(201).send(totpEnrollmentJson(await core.factors.totp.enrol(userId, asker), links));
    },
  );

  app.post(
    '/me/totp/confirm',
    {
      schema: {
        ...secured,
        summary: 'Confirm the new authenticator with a code from it',
        description:
          'The code proves the new authenticator only; the proof that enrolling needed must still be recent. Under the veto ' +
          'window (a user who already has a factor) the new authenticator and its backup codes take effect at `pendingUntil`.',
        body: CodeBody,
        response: { 200: ConfirmedCodes, ...errors },
      },
    },
    async (request) => {
      const { userId, asker } = await caller(request, undefined, 'setup');
      const { backupCodes, ...outcome } = await core.factors.totp.confirm(userId, parseProof({ code: request.body.code, method: 'totp' }, { passwordCode: 'plain' }), asker);
      return { backupCodes, ...pendingUntilJson(outcome) };
    },
  );

  app.post(
    '/me/totp/disable',
    {
      schema: {
        ...secured,
        summary: 'Turn the authenticator off (needs a fresh proof: a current code, a backup code, or one within the step-up window)',
        description: '204 when done; 202 `{pendingUntil}` when the veto window holds the change.',
        body: ProofBody,
        response: { 204: Type.Null(), 202: HeldChangeSchema, ...errors },
      },
      preValidation: emptyBodyAsObject,
    },
    async (request, reply) => {
      const { userId, asker } = await caller(request, request.body);
      replyChange(reply, await core.factors.totp.disable(userId, asker));
    },
  );

  app.post(
    '/me/backup-codes',
    {
      schema: {
        ...secured,
        summary: 'Replace all backup codes (needs a fresh proof)',
        body: ProofBody,
        response: { 200: BackupCodes, ...errors },
      },
      preValidation: emptyBodyAsObject,
    },
    async (request) => {
      const { userId, asker } = await caller(request, request.body);
      return core.factors.backup.regenerate(userId, asker);
    },
  );
};
