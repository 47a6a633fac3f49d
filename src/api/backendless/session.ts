import type { FastifyRequest } from 'fastify';
import type { Core, SessionAccess } from '../../core/index.ts';
import { TwofoldError } from '../../core/errors.ts';

/** The Backendless session travels only in the `user-token` header. */
export function userToken(request: FastifyRequest): string | undefined {
  const value = request.headers['user-token'];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The signed-in user, or `forbidden` (8811) when no token was sent at all and 3064 when it is not valid. */
export async function requireBackendlessUser(core: Core, request: FastifyRequest, access: SessionAccess = 'full') {
  const token = userToken(request);
  if (!token) throw new TwofoldError('forbidden', {}, 'This operation needs a logged-in user (send the user-token header).');
  return core.auth.authenticate(token, access);
}
