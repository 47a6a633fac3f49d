import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between the server under test and PostgreSQL that plays the network's faults on demand:
 * cut every open connection (a partition, a failover), delay every byte (a slow or distant database), or
 * refuse new connections (the database is down). Bytes are forwarded untouched, in order.
 */
export interface FaultProxy {
  /** `postgres://` URL that reaches `target` through the proxy. */
  readonly url: string;
  /** Destroys every open connection at once; new ones are still forwarded. */
  cut(): void;
  /** Holds each chunk this long in each direction (0: none). */
  delay(ms: number): void;
  /** New connections are closed as they arrive (true) or forwarded again (false). */
  refuse(on: boolean): void;
  /** Connections forwarded right now. */
  readonly open: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let delayMs = 0;
  let refusing = false;

  /** Forwards `from` to `to`, each chunk released no sooner than `delayMs` after it arrived. */
  const forward = (from: Socket, to: Socket) => {
    let releaseAt = 0;
    from.on('data', (chunk) => {
      if (delayMs === 0 && releaseAt <= Date.now()) return void to.write(chunk);
      releaseAt = Math.max(releaseAt, Date.now() + delayMs);
      setTimeout(() => to.destroyed || to.write(chunk), releaseAt - Date.now());
    });
  };

  const server: Server = createServer((client) => {
    if (refusing) return void client.destroy();
    const database = connect(Number(upstream.port || 5432), upstream.hostname);
    for (const socket of [client, database]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // Either side failing ends both, as a broken link would.
      socket.on('error', () => undefined);
      socket.on('close', () => (socket === client ? database : client).destroy());
    }
    forward(client, database);
    forward(database, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const via = new URL(target);
  via.host = `127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    url: via.toString(),
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    delay(ms) {
      delayMs = ms;
    },
    refuse(on) {
      refusing = on;
    },
    get open() {
      return sockets.size / 2;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
