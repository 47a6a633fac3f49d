import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * A Meteor error as it travels in DDP `result`/`nosub` messages:
 * `{isClientSafe: true, error, reason?, details?, message: "<reason> [<error>]", errorType: "Meteor.Error"}`.
 */
export class MeteorError extends Error {
  readonly error: string | number;
  readonly reason: string | undefined;
  readonly details: unknown;

  constructor(error: string | number, reason?: string, details?: unknown) {
    super(reason ? `${reason} [${error}]` : `[${error}]`);
    this.name = 'MeteorError';
    this.error = error;
    this.reason = reason;
    this.details = details;
  }

  /** The wire object, fields in Meteor's order. */
  toWire(): Record<string, unknown> {
    return {
      isClientSafe: true,
      error: this.error,
      ...(this.reason !== undefined ? { reason: this.reason } : {}),
      ...(this.details !== undefined ? { details: this.details } : {}),
      message: this.message,
      errorType: 'Meteor.Error',
    };
  }
}

/** One DDP client connection (raw WebSocket or SockJS), as method handlers see it. */
export interface DdpConnection {
  /** The DDP session id sent in `connected`. */
  readonly id: string;
  readonly clientAddress: string;
  /** Headers of the WebSocket upgrade request (user agent, `x-2fa-code`, ...). */
  readonly headers: IncomingHttpHeaders;
  /** The logged-in user of this connection, set by the accounts methods. */
  userId: string | null;
  /** The session id (of the core's session model) behind `userId`. */
  sessionId: string | null;
  /** Runs when the connection closes (for cleanup). */
  onClose(callback: () => void): void;
  /** Closes the connection from the server side. */
  close(): void;
}

export interface MethodInvocation {
  connection: DdpConnection;
  /** The method's name as called. */
  name: string;
  randomSeed?: unknown;
  /**
   * Set by a method that answers a failure without an error (Rocket.Chat's `false` / `undefined` for a wrong code),
   * so the per-IP limits count it like any other wrong answer.
   */
  failedQuietly?: boolean;
}

/** A DDP method: params arrive EJSON-decoded; the result is EJSON-encoded. Throw `MeteorError` for client errors. */
export type MethodHandler = (invocation: MethodInvocation, ...params: unknown[]) => unknown | Promise<unknown>;

export interface DdpServerOptions {
  /** Looked up by name on every call (a live map: methods added later are served at once). */
  methods: Pick<ReadonlyMap<string, MethodHandler>, 'get'>;
  /**
   * Maps anything a method throws to the error the client sees. Returning undefined means "unexpected":
   * the client gets `{error: 500, reason: "Internal server error"}` and the original is logged.
   */
  toMeteorError(error: unknown): MeteorError | undefined;
  logger: import('pino').Logger;
  /** Largest accepted frame; bigger ones close the connection with 1009. Default 256 KiB. */
  maxFrameBytes?: number;
  /** Server ping interval for idle connections; a client silent for two intervals is dropped. Default 15 s. */
  pingIntervalMs?: number;
  /** The client's address from its upgrade request (behind proxies: the forwarded one). Default: the socket's peer. */
  clientAddress?: (request: IncomingMessage) => string;
  /** Open connections one client address may hold; an upgrade past it is answered 429. Default: no cap. */
  maxConnectionsPerAddress?: number;
}
