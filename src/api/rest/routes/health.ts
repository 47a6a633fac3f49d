import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { TwofoldError } from '../../../core/errors.ts';
import { errorResponseSchema } from '../errors.ts';

/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers too). `ping`
 * must be cheap and bounded (the server gives it one second): a probe that hangs is worse than a 503.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<{ ping: () => Promise<void> }> = async (app, { ping }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'The database answers',
        response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: errorResponseSchema },
      },
    },
    async (request) => {
      try {
        await ping();
        return { status: 'ready' as const };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        // The error handler renders it, with Retry-After: unavailable, timed out, or no connection free.
        throw error instanceof TwofoldError ? error : new TwofoldError('database_unavailable');
      }
    },
  );
};
