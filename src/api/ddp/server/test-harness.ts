// Test support (not a test file): a real HTTP server with the DDP server attached, a few methods, captured logs,
// and a raw WebSocket client that reads like the protocol.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import pino from 'pino';
import { WebSocket } from 'ws';
import { MeteorError, type DdpServerOptions, type MethodHandler } from '../types.ts';
import { attachDdpServer, handleSockjsHttp, type DdpServer } from './index.ts';

export const testMethods: Record<string, MethodHandler> = {
  echo: (_invocation, ...params) => params,
  slow: async (_invocation, ms = 150) => {
    await delay(Number(ms));
    return 'slow done';
  },
  nothing: () => undefined,
  meteorError: () => {
    throw new MeteorError('custom-error', 'Custom reason', { why: 'testing' });
  },
  plainError: async () => {
    throw new Error('secret internal details');
  },
  syncThrow: () => {
    throw new TypeError('thrown synchronously');
  },
  date: () => ({ at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }),
  paramType: (_invocation, value) => (value instanceof Date ? 'Date' : typeof value),
  circular: () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    return loop;
  },
  bigint: () => 10n,
  whoami: ({ connection, name, randomSeed }) => ({ id: connection.id, name, randomSeed, userId: connection.userId, address: connection.clientAddress, agent: connection.headers['user-agent'] }),
  closeMe: ({ connection }) => connection.close(),
};

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface Harness {
  port: number;
  httpUrl: string;
  wsUrl: string;
  ddp: DdpServer;
  http: Server;
  logs: LogLine[];
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<DdpServerOptions> = {}): Promise<Harness> {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const http = createServer((req, res) => {
    if (handleSockjsHttp(req, res)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const ddp = attachDdpServer(http, {
    methods: new Map(Object.entries(testMethods)),
    toMeteorError: (error) => (error instanceof MeteorError ? error : undefined),
    logger,
    ...overrides,
  });
  const { port } = http.address() as AddressInfo;
  return {
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/websocket`,
    ddp,
    http,
    logs,
    async close() {
      await ddp.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

export interface Closed {
  code: number;
  reason: string;
}

/** A WebSocket client that queues every text frame it receives, for reading one at a time. */
export class RawClient {
  readonly socket: WebSocket;
  readonly closed: Promise<Closed>;
  readonly #frames: string[] = [];
  readonly #waiting: ((frame: string) => void)[] = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const frame = String(data);
      const waiter = this.#waiting.shift();
      if (waiter) waiter(frame);
      else this.#frames.push(frame);
    });
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    socket.on('error', () => undefined);
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const socket = new WebSocket(url, { headers });
    const client = new RawClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** Opens and completes the `connect` handshake; returns the session id. */
  static async connected(url: string): Promise<RawClient> {
    const client = await RawClient.open(url);
    client.send({ msg: 'connect', version: '1', support: ['1', 'pre2', 'pre1'] });
    const reply = await client.next();
    if (reply.msg !== 'connected') throw new Error(`handshake failed: ${JSON.stringify(reply)}`);
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  nextFrame(timeoutMs = 2000): Promise<string> {
    const frame = this.#frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(deliver), 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const deliver = (text: string) => {
        clearTimeout(timer);
        resolve(text);
      };
      this.#waiting.push(deliver);
    });
  }

  /** The next frame as JSON (typed loosely: tests read protocol messages field by field). */
  async next(timeoutMs?: number): Promise<any> {
    return JSON.parse(await this.nextFrame(timeoutMs));
  }

  /** Calls a method and returns its `result` message, checking the `updated` that must follow. */
  async call(id: string, method: string, params?: unknown[]): Promise<Record<string, unknown>> {
    this.send({ msg: 'method', id, method, ...(params ? { params } : {}) });
    const result = await this.next();
    const updated = await this.next();
    if (updated.msg !== 'updated' || updated.methods?.[0] !== id) throw new Error(`expected updated for ${id}, got ${JSON.stringify(updated)}`);
    return result;
  }

  /** True when nothing arrives within `ms`. */
  async silentFor(ms: number): Promise<boolean> {
    return this.nextFrame(ms).then(
      () => false,
      () => true,
    );
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closed;
  }
}
