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
  const addressOf = options.clientAddress ?? ((request: IncomingMessage) => request.socket.remoteAddress ?? '');
  const perAddress = new ConnectionCounts(options.maxConnectionsPerAddress ?? Infinity);
  let closing: Promise<void> | undefined;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const endpoint = endpointOf(request.url);
    if (!endpoint) return refuseUpgrade(socket, '404 Not Found');
    const clientAddress = addressOf(request);
    // One address holding thousands of idle sockets would cost every other client memory and descriptors.
    if (perAddress.full(clientAddress)) return refuseUpgrade(socket, '429 Too Many Requests');
    // With no verifyClient, ws completes the upgrade synchronously: no other upgrade slips in between check and count.
    wss.handleUpgrade(request, socket, head, (ws) => {
      // An upgrade completing after close() began would escape the shutdown.
      if (closing) return ws.terminate();
      const session = acceptSocket(ws, request, clientAddress, endpoint, settings);
      sessions.add(session);
      perAddress.add(clientAddress);
      session.onClose(() => {
        sessions.delete(session);
        perAddress.remove(clientAddress);
      });
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

function refuseUpgrade(socket: Duplex, status: string): void {
  // The peer may already be gone; a write error here is of no interest.
  socket.on('error', () => undefined);
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Open connections per client address (a connection lives on one process, so counting here is exact). */
class ConnectionCounts {
  readonly #counts = new Map<string, number>();
  constructor(readonly max: number) {}

  full(address: string): boolean {
    return (this.#counts.get(address) ?? 0) >= this.max;
  }

  add(address: string): void {
    this.#counts.set(address, (this.#counts.get(address) ?? 0) + 1);
  }

  remove(address: string): void {
    const left = (this.#counts.get(address) ?? 1) - 1;
    if (left > 0) this.#counts.set(address, left);
    else this.#counts.delete(address);
  }
}
