import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/**
 * A keep-alive socket with nothing in flight when a stop begins still gets this long to send its next
 * request (answered 503 with `Connection: close`) before it is closed. A client loops back within
 * milliseconds; closing at once would cut requests already on the wire, and the client could not tell
 * whether its POST was processed.
 */
const IDLE_LINGER_MS = 500;
const POLL_MS = 50;

interface Connection {
  inFlight: Set<ServerResponse>;
  idleSinceMs: number;
}

/**
 * Graceful stop of an HTTP server without resetting any connection that carries a request:
 * - `begin()` stops accepting connections but, unlike `server.close()` (which since Node 19 closes idle
 *   keep-alive sockets at once, racing clients that are sending on them), leaves open sockets alone;
 * - every response from then on says `Connection: close`, so each client learns on an answer that the
 *   connection ends; requests arriving meanwhile are refused by the app while `stopping` is true;
 * - `finish()` waits for in-flight requests, closes sockets once they have been idle a moment, and cuts
 *   whatever is left after `limitMs`.
 */
export class HttpDrain {
  #connections = new Map<Socket, Connection>();
  #stopping = false;

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Follows the server's connections and requests; call before it listens. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.#connections.set(socket, { inFlight: new Set(), idleSinceMs: Date.now() });
      socket.once('close', () => this.#connections.delete(socket));
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const connection = this.#connections.get(request.socket);
      if (!connection) return;
      connection.inFlight.add(response);
      if (this.#stopping) closeAfter(response);
      response.once('close', () => {
        connection.inFlight.delete(response);
        connection.idleSinceMs = Date.now();
      });
    });
  }

  /** Stops taking new connections; answers on open ones end them. */
  begin(server: Server): void {
    if (this.#stopping) return;
    this.#stopping = true;
    const now = Date.now();
    for (const connection of this.#connections.values()) {
      connection.idleSinceMs = Math.max(connection.idleSinceMs, now);
      for (const response of connection.inFlight) closeAfter(response);
    }
    // net.Server's close: stop listening, without http.Server's closing of idle sockets.
    if (server.listening) NetServer.prototype.close.call(server);
  }

  /** Resolves once every connection is closed: gracefully where possible, cut after `limitMs`. */
  async finish(limitMs: number): Promise<void> {
    const cutAt = Date.now() + limitMs;
    while (this.#connections.size > 0) {
      const now = Date.now();
      for (const [socket, connection] of this.#connections) {
        const idleLongEnough = connection.inFlight.size === 0 && now - connection.idleSinceMs >= IDLE_LINGER_MS;
        if (idleLongEnough || now >= cutAt) socket.destroy();
      }
      if (now >= cutAt) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

function closeAfter(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}
