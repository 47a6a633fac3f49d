import type { Core, RequestContext, SessionAccess } from '../../core/index.ts';
import type { DdpConnection } from './types.ts';
import { TwofoldError, isTwofoldError } from '../../core/errors.ts';

/**
 * The session token behind a logged-in connection, kept beside (not on) the connection object so it
 * can never end up in a log line or an error by accident.
 */
const tokens = new WeakMap<DdpConnection, string>();

export function rememberLogin(connection: DdpConnection, login: { userId: string; sessionId: string; token: string }): void {
  connection.userId = login.userId;
  connection.sessionId = login.sessionId;
  tokens.set(connection, login.token);
}

export function forgetLogin(connection: DdpConnection): void {
  connection.userId = null;
  connection.sessionId = null;
  tokens.delete(connection);
}

export function ddpContext(connection: DdpConnection): RequestContext {
  const userAgent = connection.headers['user-agent'];
  return { client: 'ddp', ip: connection.clientAddress, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
}

/**
 * The connection's user, re-checked against the session store on every call: a session revoked
 * elsewhere (another instance, the REST API) stops working here at once. Only a session that no longer
 * works logs the connection out; an outage is an outage (503), on this wire as on every other.
 */
export async function requireLogin(core: Core, connection: DdpConnection, access: SessionAccess = 'full') {
  const token = tokens.get(connection);
  if (!token) throw new TwofoldError('not_authenticated');
  try {
    return await core.auth.authenticate(token, access);
  } catch (error) {
    if (isTwofoldError(error) && (error.status === 401 || error.code === 'user_disabled')) {
      forgetLogin(connection);
      throw new TwofoldError('not_authenticated');
    }
    throw error;
  }
}
