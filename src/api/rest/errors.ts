import type { FastifyInstance } from 'fastify';
import { TwofoldError } from '../../core/errors.ts';
import { replyError } from '../http/fastify-errors.ts';
import { ErrorBodySchema } from './schemas.ts';

/** The native API's error body: `{"error": {"code", "message", "details"}}` with the catalogue's HTTP status. */
export function nativeErrorBody(error: TwofoldError) {
  return { error: { code: error.code, message: error.message, details: error.details } };
}

/** The response schema of every failure: a reference to the `ErrorBody` component (schemas.ts). */
export const errorResponseSchema = ErrorBodySchema;

export function installNativeErrors(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const typed = replyError(error, request, reply);
    void reply.status(typed.status).send(nativeErrorBody(typed));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(nativeErrorBody(new TwofoldError('not_found', { method: request.method, url: request.url.split('?')[0] })));
  });
}
