import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { DdpServerOptions } from '../types.ts';
import { acceptSocket, type AcceptSettings } from './accept.ts';
import { endpointOf } from './paths.ts';
import type { DdpSession } from './session.ts';

export interface DdpServer {
  readonly connectionCount: number;
  /** Closes every connection (with `closeCode`, default 1001 "going away") and stops accepting new ones. */
  close(closeCode?: number): Promise<void>;
}

const DEFAULT_MAX_FRAME_BYTES = 256 * 1024;
const DEFAULT_PING_INTERVAL_MS = 15_000;

/**
 * Serves DDP on `httpServer`'s WebSocket upgrades: raw at `/websocket` (and `/websocket/`, `/sockjs/websocket`),
 * SockJS-framed at `/sockjs/<server>/<session>/websocket`. Every other upgrade is answered 404: nothing else in
 * twofold speaks WebSocket, and an unanswered upgrade would hang its client until a timeout.
 */
export function attachDdpServer(httpServer: Server, options: DdpServerOptions): DdpServer {
  // No compression (perMessageDeflate is off by default): it buys little for small JSON and costs memory per socket.
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES });
  const settings: AcceptSettings = { ...options, pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS };
  const sessions = new Set<DdpSession>();
  let closing: Promise<void> | undefined;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const endpoint = endpointOf(request.url);
    if (!endpoint) return refuseUpgrade(socket);
    wss.handleUpgrade(request, socket, head, (ws) => {
      // An upgrade completing after close() began would escape the shutdown.
      if (closing) return ws.terminate();
      const session = acceptSocket(ws, request, endpoint, settings);
      sessions.add(session);
      session.onClose(() => sessions.delete(session));
    });
  };
  httpServer.on('upgrade', onUpgrade);

  const shutdown = async (code: number) => {
    // Without a listener Node hands later upgrade requests to the ordinary request handler (a plain HTTP answer).
    httpServer.off('upgrade', onUpgrade);
    await Promise.all([...sessions].map((session) => session.shutdown(code)));
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };

  return {
    get connectionCount() {
      return sessions.size;
    },
    close(closeCode = 1001) {
      closing ??= shutdown(closeCode);
      return closing;
    },
  };
}

function refuseUpgrade(socket: Duplex): void {
  // The peer may already be gone; a write error here is of no interest.
  socket.on('error', () => undefined);
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
