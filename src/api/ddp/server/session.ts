import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { DdpConnection } from '../types.ts';
import { Heartbeat } from './heartbeat.ts';
import { randomId } from './ids.ts';
import { SerialQueue } from './queue.ts';
import type { Transport } from './transport.ts';

export interface Peer {
  clientAddress: string;
  headers: IncomingHttpHeaders;
}

export interface SessionSettings {
  pingIntervalMs: number;
  logger: Logger;
}

/** No real client has this many calls outstanding; past it, a flood would only grow our memory. */
const MAX_QUEUED_MESSAGES = 100;
/** How long a shutdown waits for a client's close handshake before cutting the socket. */
const SHUTDOWN_GRACE_MS = 2000;

/**
 * One DDP connection: its protocol state, its in-order message queue and its liveness. Handlers see it as a
 * `DdpConnection`; internals are `#private` so logging the object cannot leak them.
 */
export class DdpSession implements DdpConnection {
  readonly id = randomId();
  readonly clientAddress: string;
  readonly headers: IncomingHttpHeaders;
  userId: string | null = null;
  sessionId: string | null = null;

  readonly #transport: Transport;
  readonly #logger: Logger;
  readonly #queue: SerialQueue;
  readonly #heartbeat: Heartbeat;
  readonly #closeCallbacks: (() => void)[] = [];
  readonly #closed: Promise<void>;
  #markClosed: () => void = () => undefined;
  #connected = false;
  /** A close was asked for: queued work is dropped. */
  #ended = false;
  /** The socket has closed. */
  #gone = false;
  /** A shutdown is under way: work already queued finishes, nothing new starts. */
  #draining = false;

  constructor(transport: Transport, peer: Peer, settings: SessionSettings) {
    this.#transport = transport;
    this.#logger = settings.logger;
    this.clientAddress = peer.clientAddress;
    this.headers = peer.headers;
    this.#queue = new SerialQueue((error) => this.#logger.error({ err: error, connection: this.id }, 'DDP message task failed'));
    this.#heartbeat = new Heartbeat(settings.pingIntervalMs, () => this.#ping(), () => this.#timeOut());
    this.#closed = new Promise((resolve) => (this.#markClosed = resolve));
  }

  /** True once the `connect` handshake succeeded. */
  get connected(): boolean {
    return this.#connected;
  }

  markConnected(): void {
    this.#connected = true;
  }

  /** Any frame from the client proves it alive. */
  heard(): void {
    this.#heartbeat.heard();
  }

  reply(...messages: Record<string, unknown>[]): void {
    this.#transport.send(messages.map((message) => JSON.stringify(message)));
  }

  /** Sends already-serialised messages as one batch. */
  sendTexts(texts: readonly string[]): void {
    this.#transport.send(texts);
  }

  /** Runs after everything this connection queued before. */
  enqueue(task: () => Promise<void>): void {
    if (this.#ended || this.#draining) return;
    if (this.#queue.size >= MAX_QUEUED_MESSAGES) return this.#end(1008, 'Too many pending messages');
    this.#queue.push(task);
  }

  onClose(callback: () => void): void {
    // A method finishing after its client left still gets its cleanup run.
    if (this.#gone) return this.#runCallback(callback);
    this.#closeCallbacks.push(callback);
  }

  close(): void {
    this.#end(1000, 'Normal closure');
  }

  /**
   * Closes for a server shutdown: methods already received finish and answer first (within the grace
   * period), new ones are not started; resolves once the socket is closed (cut after a grace period).
   */
  async shutdown(code: number): Promise<void> {
    this.#draining = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#queue.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)))]);
    clearTimeout(timer);
    this.#end(code, 'Server shutting down');
    const cut = setTimeout(() => this.#transport.abort(), SHUTDOWN_GRACE_MS);
    return this.#closed.finally(() => clearTimeout(cut));
  }

  /** Called by the socket's 'close' event: stops everything and runs the close callbacks once. */
  handleClosed(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#ended = true;
    this.#queue.stop();
    this.#heartbeat.stop();
    this.#transport.dispose();
    for (const callback of this.#closeCallbacks.splice(0)) this.#runCallback(callback);
    this.#markClosed();
  }

  #end(code: number, reason: string): void {
    this.#ended = true;
    this.#queue.stop();
    this.#transport.close(code, reason);
  }

  #ping(): void {
    // Before the handshake a client expects nothing from us; it is still dropped for silence.
    if (this.#connected) this.reply({ msg: 'ping' });
  }

  #timeOut(): void {
    this.#logger.debug({ connection: this.id }, 'DDP connection timed out');
    this.#ended = true;
    this.#transport.abort();
  }

  #runCallback(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#logger.error({ err: error, connection: this.id }, 'DDP close callback failed');
    }
  }
}
