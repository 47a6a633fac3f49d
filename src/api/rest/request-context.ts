import type { FastifyRequest } from 'fastify';
import type { ClientKind, RequestContext } from '../../core/sessions/session.ts';
import { rateChargeOf } from '../http/rate-limit-hook.ts';

export function requestContext(request: FastifyRequest, client: ClientKind): RequestContext {
  const userAgent = request.headers['user-agent'];
  const rate = rateChargeOf(request);
  return { client, ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined, ...(rate ? { rate } : {}) };
}

/** The native API's session travels as `Authorization: Bearer <token>`. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}
