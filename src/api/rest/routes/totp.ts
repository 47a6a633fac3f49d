import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Core } from '../../../core/index.ts';
import { errorResponseSchema } from '../errors.ts';
import { bearerToken, requestContext } from '../request-context.ts';
import { CodeInput, TotpEnrollmentSchema, totpEnrollmentJson } from '../schemas.ts';
import type { Links } from '../../http/links.ts';

const errors = { 400: errorResponseSchema, 401: errorResponseSchema, 409: errorResponseSchema };
const CodeBody = Type.Object({ code: CodeInput }, { additionalProperties: false });
const BackupCodes = Type.Object({ backupCodes: Type.Array(Type.String()) });

/** Authenticator-app (TOTP) factor of the signed-in user: enrol, confirm, disable, backup codes. */
export const totpRoutes: FastifyPluginAsyncTypebox<{ core: Core; links: Links }> = async (app, { core, links }) => {
  const secured = { tags: ['totp'], security: [{ bearer: [] }] };
  const userId = async (request: Parameters<typeof bearerToken>[0]) => (await core.authenticate(bearerToken(request))).user.id;
  /** The caller and its session: for the audit log, and the session that survives a disable. */
  const caller = async (request: Parameters<typeof bearerToken>[0]) => {
    const { user, session } = await core.authenticate(bearerToken(request));
    return { userId: user.id, change: { context: requestContext(request, 'rest'), keepSessionId: session.id } };
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
    async (request) => core.totp.status(await userId(request)),
  );

  app.post(
    '/me/totp',
    {
      schema: {
        ...secured,
        summary: 'Start enrolling an authenticator app',
        description:
          'Returns a new secret (also as an otpauth:// URI and a QR image URL served by this server for 10 minutes). ' +
          'Nothing changes until a code from it is confirmed with `POST /me/totp/confirm`; an active authenticator keeps working until then.',
        response: { 201: TotpEnrollmentSchema, 401: errorResponseSchema },
      },
    },
    async (request, reply) => reply.status(201).send(totpEnrollmentJson(await core.totp.enroll(await userId(request)), links)),
  );

  app.post(
    '/me/totp/confirm',
    { schema: { ...secured, summary: 'Confirm the new authenticator with a code from it', body: CodeBody, response: { 200: BackupCodes, ...errors } } },
    async (request) => {
      const { userId: id, change } = await caller(request);
      return core.totp.confirm(id, request.body.code, change);
    },
  );

  app.post(
    '/me/totp/disable',
    {
      schema: {
        ...secured,
        summary: 'Turn the authenticator off (needs a current code or a backup code)',
        body: CodeBody,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { userId: id, change } = await caller(request);
      await core.totp.disable(id, request.body.code, change);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/me/backup-codes',
    {
      schema: {
        ...secured,
        summary: 'Replace all backup codes (needs a current authenticator code)',
        body: CodeBody,
        response: { 200: BackupCodes, ...errors },
      },
    },
    async (request) => {
      const { userId: id, change } = await caller(request);
      return core.totp.regenerateBackupCodes(id, request.body.code, change);
    },
  );
};
