import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Core } from '../../core/index.ts';
import { rememberLogin } from '../ddp/connection-session.ts';
import { toMeteorError } from '../ddp/errors.ts';
import type { DdpMessage } from '../ddp/server/messages.ts';
import { callMethod, readMethodCall, type MethodCall } from '../ddp/server/method-call.ts';
import type { DdpConnection, MethodHandler } from '../ddp/types.ts';
import { invalidMethodCall } from './errors.ts';
import { requireRestLogin, type RestLogin } from './session.ts';

export interface MethodCallOptions {
  core: Core;
  /** The DDP server's methods (the registry's live map): the same handlers, guards and results as over the WebSocket. */
  methods: ReadonlyMap<string, MethodHandler>;
  logger: Logger;
}

const CALL_KEYS = ['id', 'method', 'msg', 'params'];

/**
 * The DDP `method` message inside a `method.call` body, `{message: <EJSON text>}`, held to Rocket.Chat's schema:
 * exactly `{msg: 'method', id, method, params}`. The method must be the one the URL names (Rocket.Chat ignores the
 * URL; a mismatch here is refused, so logs and limits name what really ran).
 */
function methodCallOf(body: unknown, urlMethod: string): MethodCall | undefined {
  if (typeof body !== 'object' || body === null || Object.keys(body).join() !== 'message') return undefined;
  const text = (body as { message: unknown }).message;
  if (typeof text !== 'string') return undefined;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  if (Object.keys(message).sort().join() !== CALL_KEYS.join() || (message as { msg?: unknown }).msg !== 'method') return undefined;
  const call = readMethodCall(message as DdpMessage);
  return call && call.name === urlMethod ? call : undefined;
}

/**
 * A DDP connection standing for one HTTP request: the client's address and headers (so `x-2fa-code` /
 * `x-2fa-method` prove a protected method, as on Rocket.Chat), logged in with the request's session for
 * `method.call`, logged out for `method.callAnon`.
 */
function requestConnection(request: FastifyRequest, login: RestLogin | null): DdpConnection {
  const connection: DdpConnection = {
    id: randomUUID(),
    clientAddress: request.ip,
    headers: request.headers,
    userId: null,
    sessionId: null,
    onClose: () => undefined,
    close: () => undefined,
  };
  if (login) rememberLogin(connection, { userId: login.user.id, sessionId: login.session.id, token: login.token });
  return connection;
}

/**
 * `POST /api/v1/method.call/:method` (signed in) and `method.callAnon/:method`: any DDP method over HTTP, the way
 * current Rocket.Chat web clients call them. The answer is always 200 `{message: <EJSON result message>}`; a
 * failure travels inside it as the DDP `error`, exactly as over the WebSocket.
 */
export const methodCallRoutes: FastifyPluginAsync<MethodCallOptions> = async (app, { core, methods, logger }) => {
  async function run(request: FastifyRequest<{ Params: { method: string } }>, reply: FastifyReply, login: RestLogin | null) {
    const call = methodCallOf(request.body, request.params.method);
    if (!call) {
      const failure = invalidMethodCall();
      return reply.status(failure.status).send(failure.body);
    }
    const handler = methods.get(call.name);
    // The DDP server's flood guard counts calls per connection and method; here a request is a connection, so
    // the count goes by session (or, anonymous, by address), shared by every instance.
    const subject = `${login ? `session:${login.session.id}` : `ip:${request.ip}`}:${call.name}`;
    const limited = new Map<string, MethodHandler>();
    if (handler) {
      limited.set(call.name, async (invocation, ...params) => {
        await core.limits.enforce('ddpMethod', subject);
        return handler(invocation, ...params);
      });
    }
    const message = await callMethod(call, requestConnection(request, login), { methods: limited, toMeteorError, logger });
    return { message, success: true };
  }

  app.post<{ Params: { method: string } }>('/method.call/:method', { schema: { hide: true } }, async (request, reply) =>
    // Let in as far as the method: each one asks for the access it needs (setting up a factor works past the deadline).
    run(request, reply, await requireRestLogin(core, request, 'setup')),
  );
  // Anonymous: a logged-out connection whatever headers come along (Rocket.Chat's callAnon has no user either).
  app.post<{ Params: { method: string } }>('/method.callAnon/:method', { schema: { hide: true } }, async (request, reply) => run(request, reply, null));
};
