import { MeteorError } from '../types.ts';
import { protocolError, type DdpMessage } from './messages.ts';

// twofold publishes nothing: every subscription is refused the way Meteor refuses an unknown publication.

/** The answer to `sub {id, name, params?}`. */
export function answerSub(message: DdpMessage): Record<string, unknown> {
  const { id, name, params } = message;
  if (typeof id !== 'string' || typeof name !== 'string' || (params !== undefined && !Array.isArray(params))) {
    return protocolError('Malformed subscription', message);
  }
  return { msg: 'nosub', id, error: new MeteorError(404, `Subscription '${name}' not found`).toWire() };
}

/** The answer to `unsub {id}`: confirmation that nothing (any more) flows for it. */
export function answerUnsub(message: DdpMessage): Record<string, unknown> {
  if (typeof message.id !== 'string') return protocolError('Malformed subscription', message);
  return { msg: 'nosub', id: message.id };
}
