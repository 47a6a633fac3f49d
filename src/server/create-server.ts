import type { FastifyInstance } from 'fastify';
import { attachDdpServer, type DdpServer } from '../api/ddp/server/index.ts';
import { toMeteorError } from '../api/ddp/errors.ts';
import { createDdpRegistry, type DdpRegistry } from '../api/ddp/registry.ts';
import { clientAddressOf, proxyTrust } from '../api/http/client-address.ts';
import { buildHttpApp } from './http-app.ts';
import { openRuntime, type Runtime, type RuntimeOptions } from './runtime.ts';
import { startPurgeJob, type PurgeJob } from './purge-job.ts';
import { systemClock } from '../core/clock.ts';

export type ServerOptions = RuntimeOptions;

export interface TwofoldServer extends Runtime {
  app: FastifyInstance;
  /** DDP methods: add your own, plain or protected by the second-factor guard. */
  ddp: DdpRegistry;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** The periodic purge of expired rows (absent with PURGE_INTERVAL_SECONDS=0). */
  purge: PurgeJob | undefined;
}

/** The whole server: the runtime (storage, mail, core) plus the HTTP and DDP façades on one port. */
export async function createServer(options: ServerOptions): Promise<TwofoldServer> {
  const runtime = await openRuntime(options);
  const { config, core, db, logger, backendless, metrics } = runtime;
  let app: FastifyInstance;
  let ddpServer: DdpServer;
  const limits = config.rateLimits;
  const ddp = createDdpRegistry(core, { methodLimit: limits.enabled ? limits.rules.ddpMethod : undefined, clock: options.clock });
  // One trust rule for forwarded headers on every wire (security.md threat 17).
  const trust = proxyTrust(config.trustProxy);
  try {
    app = await buildHttpApp({ config, trust, core, logger, backendless, metrics, ddpMethods: ddp.methods, ping: async () => void (await db.query('SELECT 1')) });
    const server = attachDdpServer(app.server, {
      methods: ddp.methods,
      toMeteorError,
      logger,
      clientAddress: (request) => clientAddressOf(request, trust),
      ...(limits.enabled ? { maxConnectionsPerAddress: config.ddpConnectionsPerIp } : {}),
    });
    metrics.gauge('twofold_ddp_connections', 'Open DDP connections', () => server.connectionCount);
    ddpServer = server;
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const purge =
    config.purgeIntervalSeconds > 0
      ? startPurgeJob({
          db,
          clock: options.clock ?? systemClock,
          logger,
          metrics,
          intervalSeconds: config.purgeIntervalSeconds,
          eventsRetentionDays: config.securityEventsRetentionDays,
        })
      : undefined;
  return {
    ...runtime,
    app,
    ddp,
    purge,
    async listen() {
      await app.listen({ port: config.port, host: config.host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    async close() {
      await purge?.stop();
      // WebSockets first: an open socket would hold the HTTP server's close forever.
      await ddpServer.close();
      await closeHttp(app);
      await runtime.close();
    },
  };
}

/** How long in-flight HTTP requests get to finish before their connections are cut. */
const HTTP_DRAIN_MS = 5000;

/**
 * Stops accepting, lets in-flight requests finish, then closes. Keep-alive clients that keep sending during
 * the drain get 503 with `Connection: close`; sockets that go idle are reaped as they do, and whatever is
 * left after the drain period is cut, so shutdown always ends in bounded time.
 */
async function closeHttp(app: FastifyInstance): Promise<void> {
  const reaper = setInterval(() => app.server.closeIdleConnections(), 100);
  const cutoff = setTimeout(() => app.server.closeAllConnections(), HTTP_DRAIN_MS);
  try {
    await app.close();
  } finally {
    clearInterval(reaper);
    clearTimeout(cutoff);
  }
}
