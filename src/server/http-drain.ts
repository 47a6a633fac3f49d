import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/**
 * How long a stop keeps answering instead of closing: a keep-alive socket with nothing in flight still gets
 * this long to send its next request, and the listener this long to take new connections, both answered
 * 503 with `Connection: close`. A client loops back within milliseconds: closing a socket at once would cut
 * requests already on the wire, and closing the listener at once would reset connections the kernel had
 * already accepted for it (its backlog) — either way the client could not tell whether its POST was
 * processed. A client told `Retry-After: 1` does not come back before both are closed.
 */
const LINGER_MS = 500;
const POLL_MS = 50;

interface Connection {
  inFlight: Set<ServerResponse>;
  idleSinceMs: number;
}

/**
 * Graceful stop of an HTTP server without resetting any connection that carries a request:
 * - `begin()` makes every response from then on say `Connection: close`, so each client learns on an
 *   answer that its connection ends; requests arriving meanwhile are refused by the app while `stopping`
 *   is true; after a moment it stops listening — with net.Server's close, not http.Server's, which (since
 *   Node 19) also closes idle keep-alive sockets at once, racing clients that are sending on them;
 * - `finish()` waits for in-flight requests, closes sockets once they have been idle a moment, and cuts
 *   whatever is left after `limitMs`.
 */
export class HttpDrain {
  #connections = new Map<Socket, Connection>();
  #stopping = false;
  #listenerClosed: Promise<void> = Promise.resolve();

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

  /** Starts refusing work: answers end their connections; the listener closes `LINGER_MS` later. */
  begin(server: Server): void {
    if (this.#stopping) return;
    this.#stopping = true;
    const now = Date.now();
    for (const connection of this.#connections.values()) {
      connection.idleSinceMs = Math.max(connection.idleSinceMs, now);
      for (const response of connection.inFlight) closeAfter(response);
    }
    this.#listenerClosed = new Promise((resolve) => setTimeout(() => resolve(stopListening(server)), LINGER_MS));
  }

  /** Resolves once the listener and every connection are closed: gracefully where possible, cut after `limitMs`. */
  async finish(limitMs: number): Promise<void> {
    const cutAt = Date.now() + limitMs;
    await this.#listenerClosed;
    while (this.#connections.size > 0) {
      const now = Date.now();
      for (const [socket, connection] of this.#connections) {
        const idleLongEnough = connection.inFlight.size === 0 && now - connection.idleSinceMs >= LINGER_MS;
        if (idleLongEnough || now >= cutAt) socket.destroy();
      }
      if (now >= cutAt) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

/** net.Server's close: no new connections, open ones left alone (http.Server's would drop idle ones). */
function stopListening(server: Server): void {
  if (server.listening) NetServer.prototype.close.call(server);
}

function closeAfter(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}
