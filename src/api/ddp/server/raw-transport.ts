import type { WebSocket } from 'ws';
import { closeSocket, sendFrame, type Transport } from './transport.ts';

/** Plain DDP over WebSocket: every text frame is exactly one DDP message. */
export function rawTransport(socket: WebSocket): Transport {
  return {
    unwrap: (frame) => [frame],
    send(messages) {
      for (const message of messages) sendFrame(socket, message);
    },
    close: (code, reason) => closeSocket(socket, code, reason),
    abort: () => socket.terminate(),
    dispose: () => undefined,
  };
}
