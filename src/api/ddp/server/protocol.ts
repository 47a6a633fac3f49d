import { negotiate } from './handshake.ts';
import { parseMessage, protocolError, type DdpMessage } from './messages.ts';
import { callMethod, readMethodCall, type MethodContext } from './method-call.ts';
import type { DdpSession } from './session.ts';
import { answerSub, answerUnsub } from './subscriptions.ts';

/** Handles one DDP message text from a client. */
export function receiveMessage(session: DdpSession, text: string, context: MethodContext): void {
  const incoming = parseMessage(text);
  if (!incoming.ok) return session.reply(incoming.reply);
  route(session, incoming.message, context);
}

function route(session: DdpSession, message: DdpMessage, context: MethodContext): void {
  if (message.msg === 'connect') return connect(session, message);
  if (!session.connected) return session.reply(protocolError('Must connect first', message));
  switch (message.msg) {
    case 'ping':
      // Answered at once, not queued: a slow method must not make the client think the link is dead.
      return session.reply(typeof message.id === 'string' ? { msg: 'pong', id: message.id } : { msg: 'pong' });
    case 'pong':
      return;
    case 'method':
      return method(session, message, context);
    case 'sub':
      return inOrder(session, answerSub(message));
    case 'unsub':
      return inOrder(session, answerUnsub(message));
    default:
      return session.reply(protocolError('Bad request', message));
  }
}

function connect(session: DdpSession, message: DdpMessage): void {
  if (session.connected) return session.reply(protocolError('Already connected', message));
  const handshake = negotiate(message);
  if (!handshake.ok) {
    session.reply({ msg: 'failed', version: handshake.version });
    return session.close();
  }
  session.markConnected();
  // `session` (resumption) is ignored: every connection starts fresh.
  session.reply({ msg: 'connected', session: session.id });
}

function method(session: DdpSession, message: DdpMessage, context: MethodContext): void {
  const call = readMethodCall(message);
  if (!call) return session.reply(protocolError('Malformed method invocation', message));
  session.enqueue(async () => {
    const result = await callMethod(call, session, context);
    // Meteor's client settles a call only after both: its result and "data for it is visible".
    session.sendTexts([result, JSON.stringify({ msg: 'updated', methods: [call.id] })]);
  });
}

/** Subscription answers wait their turn behind earlier methods, as in Meteor. */
function inOrder(session: DdpSession, reply: Record<string, unknown>): void {
  if (reply.msg === 'error') return session.reply(reply);
  session.enqueue(async () => session.reply(reply));
}
