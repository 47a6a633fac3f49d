import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/**
 * How long a stop keeps answering instead of closing: a keep-alive socket with nothing in flight gets this
 * long to send its next request, and the port stays open this long after the last request accepted before
 * the stop was answered; meanwhile new requests are answered 503 with `Connection: close`. Clients loop
 * back within milliseconds (a closed-loop client reconnects as soon as its answer said `Connection: close`):
 * closing a socket at once would cut requests already on the wire, and closing the port while they
 * reconnect would reset connections the kernel (or a cluster primary) had already accepted for it — either
 * way the client could not tell whether its POST was processed. A client told `Retry-After: 1` does not
 * come back before both are closed.
 */
const LINGER_MS = 1000;
const POLL_MS = 50;

interface Connection {
  inFlight: Set<ServerResponse>;
  idleSinceMs: number;
}

/**
 * Graceful stop of an HTTP server without resetting any connection that carries a request:
 * - `begin()` makes every response from then on say `Connection: close`, so each client learns on an
 *   answer that its connection ends; requests arriving meanwhile are refused by the app while `stopping`
 *   is true;
 * - `finish()` waits for the requests accepted before the stop, closes sockets once they have been idle a
 *   moment, stops listening once the accepted work is done and quiet (with net.Server's close, not
 *   http.Server's, which since Node 19 also closes idle keep-alive sockets at once, racing clients that are
 *   sending on them), and cuts whatever is left after `limitMs`.
 */
export class HttpDrain {
  #connections = new Map<Socket, Connection>();
  #stopping = false;
  /** The requests in flight when the stop began: the work the server accepted and must finish. */
  #accepted = new Set<ServerResponse>();
  #lastAcceptedDoneMs = 0;

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

  /** Starts refusing work: answers from now on end their connections. */
  begin(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    const now = Date.now();
    this.#lastAcceptedDoneMs = now;
    for (const connection of this.#connections.values()) {
      connection.idleSinceMs = Math.max(connection.idleSinceMs, now);
      for (const response of connection.inFlight) {
        closeAfter(response);
        this.#accepted.add(response);
        response.once('close', () => {
          this.#accepted.delete(response);
          this.#lastAcceptedDoneMs = Date.now();
        });
      }
    }
  }

  /** Resolves once the port and every connection are closed: gracefully where possible, cut after `limitMs`. */
  async finish(server: Server, limitMs: number): Promise<void> {
    const cutAt = Date.now() + limitMs;
    for (;;) {
      const now = Date.now();
      const quiet = this.#accepted.size === 0 && now - this.#lastAcceptedDoneMs >= LINGER_MS;
      if (quiet || now >= cutAt) stopListening(server);
      for (const [socket, connection] of this.#connections) {
        const idleLongEnough = connection.inFlight.size === 0 && now - connection.idleSinceMs >= LINGER_MS;
        if (idleLongEnough || now >= cutAt) socket.destroy();
      }
      if (now >= cutAt || (!server.listening && this.#connections.size === 0)) return;
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
