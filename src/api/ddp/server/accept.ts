import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { protocolError } from './messages.ts';
import type { MethodContext } from './method-call.ts';
import type { Endpoint } from './paths.ts';
import { receiveMessage } from './protocol.ts';
import { rawTransport } from './raw-transport.ts';
import { DdpSession } from './session.ts';
import { sockjsTransport } from './sockjs-transport.ts';
import type { Transport } from './transport.ts';

export interface AcceptSettings extends MethodContext {
  pingIntervalMs: number;
}

/** Turns an upgraded WebSocket into a DDP session, wired to its frames and its close. */
export function acceptSocket(socket: WebSocket, request: IncomingMessage, clientAddress: string, endpoint: Endpoint, settings: AcceptSettings): DdpSession {
  const transport = endpoint === 'raw' ? rawTransport(socket) : sockjsTransport(socket);
  const peer = { clientAddress, headers: request.headers };
  const session = new DdpSession(transport, peer, settings);
  const { logger } = settings;
  logger.debug({ connection: session.id }, 'DDP connection opened');

  socket.on('message', (data, isBinary) => {
    // Nothing a client sends may escape as an exception: it would take the whole process down.
    try {
      receiveFrame(session, transport, socket, data, isBinary, settings);
    } catch (error) {
      logger.error({ err: error, connection: session.id }, 'DDP frame handling failed');
    }
  });
  // Oversized frames, invalid UTF-8 and the like: ws closes the socket itself (1009, 1007, ...).
  socket.on('error', (error: Error & { code?: string }) => logger.debug({ connection: session.id, code: error.code }, 'DDP socket error'));
  socket.once('close', () => {
    session.handleClosed();
    logger.debug({ connection: session.id }, 'DDP connection closed');
  });
  return session;
}

function receiveFrame(session: DdpSession, transport: Transport, socket: WebSocket, data: RawData, isBinary: boolean, settings: AcceptSettings): void {
  // Frames still arriving while our close handshake runs are not answered.
  if (socket.readyState !== WebSocket.OPEN) return;
  session.heard();
  if (isBinary) return session.reply(protocolError('Bad request'));
  const texts = transport.unwrap(textOf(data));
  if (!texts) return session.reply(protocolError('Parse error'));
  for (const text of texts) receiveMessage(session, text, settings);
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
}
