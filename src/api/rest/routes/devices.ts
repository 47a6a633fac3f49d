import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Core } from '../../../core/index.ts';
import { errorResponseSchema } from '../errors.ts';
import { bearerToken, requestContext } from '../request-context.ts';

const DeviceSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  label: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** Remembered devices of the signed-in user: each skips the second factor at sign-in until it expires. */
export const deviceRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const secured = { tags: ['devices'], security: [{ bearer: [] }] };

  app.get(
    '/me/devices',
    { schema: { ...secured, summary: 'Devices that skip the second factor at sign-in', response: { 200: Type.Object({ devices: Type.Array(DeviceSchema) }), 401: errorResponseSchema } } },
    async (request) => {
      const { user } = await core.auth.authenticate(bearerToken(request));
      const devices = await core.devices.list(user.id);
      return {
        devices: devices.map((d) => ({
          id: d.id,
          label: d.label,
          createdAt: d.createdAt.toISOString(),
          expiresAt: d.expiresAt.toISOString(),
          lastUsedAt: d.lastUsedAt?.toISOString() ?? null,
        })),
      };
    },
  );

  app.delete(
    '/me/devices/:id',
    {
      schema: {
        ...secured,
        summary: 'Forget a device: its next sign-in asks for the second factor again',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null(), 401: errorResponseSchema, 404: errorResponseSchema },
      },
    },
    async (request, reply) => {
      const { user } = await core.auth.authenticate(bearerToken(request));
      await core.devices.revoke(user.id, request.params.id, requestContext(request, 'rest'));
      return reply.status(204).send(null);
    },
  );
};
