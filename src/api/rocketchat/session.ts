import type { FastifyRequest } from 'fastify';
import { TwofoldError } from '../../core/errors.ts';
import type { Asker, Core, Session, SessionAccess, UserRecord } from '../../core/index.ts';
import { ddpProof } from '../ddp/protected-methods.ts';
import { requestContext } from '../rest/request-context.ts';

export const header = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

export interface RestLogin {
  user: UserRecord;
  session: Session;
  /** The resume token: the same session a DDP `login` returns and `{resume}` takes. */
  token: string;
}

/**
 * Rocket.Chat's REST credentials: `X-User-Id` and `X-Auth-Token` together, the token being a session of that user
 * (the same token DDP `login` returns). Anything less is `not_authenticated` (401).
 */
export async function requireRestLogin(core: Core, request: FastifyRequest, access: SessionAccess = 'full'): Promise<RestLogin> {
  const userId = header(request, 'x-user-id');
  const token = header(request, 'x-auth-token');
  if (!userId || !token) throw new TwofoldError('not_authenticated');
  const { user, session } = await core.auth.authenticate(token, access);
  if (user.id !== userId) throw new TwofoldError('not_authenticated');
  return { user, session, token };
}

/**
 * The caller of a two-factor-required route and its proof, from `x-2fa-code` / `x-2fa-method` as Rocket.Chat clients
 * send them: a password travels as its hex SHA-256, a malformed code is a wrong one (`totp-invalid`, which the REST
 * client answers by asking again).
 */
export function restChatAsker(request: FastifyRequest, session: Session): Asker {
  const method = header(request, 'x-2fa-method');
  return {
    session,
    context: requestContext(request, 'rocketchat'),
    proof: ddpProof(header(request, 'x-2fa-code'), method, session.id),
    preferredMethod: method,
  };
}
