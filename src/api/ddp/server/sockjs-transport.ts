import type { WebSocket } from 'ws';
import { closeFrame, HEARTBEAT_FRAME, messageFrame, OPEN_FRAME, readClientFrame } from './sockjs-framing.ts';
import { closeSocket, sendFrame, type Transport } from './transport.ts';

/** SockJS's own keep-alive, separate from DDP pings: proxies and the SockJS client time out without it. */
const HEARTBEAT_MS = 25_000;
/** What a SockJS server says when it ends a session itself; sockjs-client surfaces it as the close code. */
const GO_AWAY: [number, string] = [3000, 'Go away!'];

/** SockJS's websocket transport: `o` on open, `a[...]` batches, `h` heartbeats, `c[code,reason]` before closing. */
export function sockjsTransport(socket: WebSocket): Transport {
  sendFrame(socket, OPEN_FRAME);
  const heartbeat = setInterval(() => sendFrame(socket, HEARTBEAT_FRAME), HEARTBEAT_MS);
  heartbeat.unref();
  return {
    unwrap: readClientFrame,
    send(messages) {
      if (messages.length > 0) sendFrame(socket, messageFrame(messages));
    },
    close(code, reason) {
      sendFrame(socket, closeFrame(...GO_AWAY));
      closeSocket(socket, code, reason);
    },
    abort: () => socket.terminate(),
    dispose: () => clearInterval(heartbeat),
  };
}
