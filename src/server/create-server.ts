import { startWebhookDispatcher, type WebhookDispatcher } from './webhook-dispatcher.ts';
import { startFactorChangeApplier, type FactorChangeApplier } from './factor-change-applier.ts';
import { startPeriodicPass } from './periodic-pass.ts';
import type { FastifyInstance } from 'fastify';
import { attachDdpServer, type DdpServer } from '../api/ddp/server/index.ts';
import { toMeteorError } from '../api/ddp/errors.ts';
import { createDdpRegistry, type DdpRegistry } from '../api/ddp/registry.ts';
import { clientAddressOf, proxyTrust } from '../api/http/client-address.ts';
import { buildHttpApp } from './http-app.ts';
import { openRuntime, type Runtime, type RuntimeOptions } from './runtime.ts';
import { startPurgeJob, type PurgeJob } from './purge-job.ts';
import { systemClock } from '../core/clock.ts';
import { HttpDrain } from './http-drain.ts';
import { withDeadline } from '../store/index.ts';
import type { MethodHandler } from '../api/ddp/types.ts';

export type ServerOptions = RuntimeOptions;

export interface TwofoldServer extends Runtime {
  app: FastifyInstance;
  /** DDP methods: add your own, plain or protected by the second-factor guard. */
  ddp: DdpRegistry;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** The periodic purge of expired rows (absent with PURGE_INTERVAL_SECONDS=0). */
  purge: PurgeJob | undefined;
  /** The webhook sender of this instance (`deliverDue()` sends what is due now). */
  webhooks: WebhookDispatcher;
  /** The veto window's applier of this instance (`applyDue()` applies what is due now). */
  factorChanges: FactorChangeApplier;
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
  const drain = new HttpDrain();
  // The readiness probe answers within a second whatever the database does: a probe that hangs is worse than a 503.
  const ping = () => withDeadline(READY_TIMEOUT_MS, async () => void (await db.query('SELECT 1')));
  // DDP methods get the same bound on their database work as HTTP requests.
  const methods = { get: (name: string) => withinRequestTimeout(ddp.methods.get(name), config.requestTimeoutMs) };
  try {
    app = await buildHttpApp({ config, trust, core, logger, backendless, metrics, ddpMethods: ddp.methods, ping, drain });
    drain.attach(app.server);
    const server = attachDdpServer(app.server, {
      methods,
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
  // Every instance sends the webhook outbox; the database keeps them from sending the same delivery twice at once.
  const webhooks = startWebhookDispatcher({ core, logger, intervalMs: WEBHOOK_POLL_MS });
  // Every instance applies due factor changes; the database gives each change to one of them.
  const factorChanges = startFactorChangeApplier({ core, logger, intervalMs: FACTOR_CHANGE_POLL_MS });
  // Sessions' last uses, written in batches every few seconds instead of a write per request.
  const lastSeen = startPeriodicPass(core.sessions.flushLastSeen, { intervalMs: LAST_SEEN_FLUSH_MS, logger, failure: LAST_SEEN_FAILURE });
  return {
    ...runtime,
    app,
    ddp,
    purge,
    webhooks,
    factorChanges,
    async listen() {
      await app.listen({ port: config.port, host: config.host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    async close() {
      drain.begin();
      await purge?.stop();
      await webhooks.stop();
      await factorChanges.stop();
      // WebSockets next: an open socket would hold the HTTP server's close forever.
      await ddpServer.close();
      // A request may take up to its deadline, and its answer a moment to leave.
      await drain.finish(app.server, config.requestTimeoutMs + 1000);
      await app.close();
      // After the last request: what they noted is written before the database closes.
      await lastSeen.stop();
      await lastSeen.runNow().catch((error: unknown) => logger.warn({ err: error }, LAST_SEEN_FAILURE));
      await runtime.close();
    },
  };
}

const READY_TIMEOUT_MS = 1000;
/** How often each instance looks for due webhook deliveries. */
const WEBHOOK_POLL_MS = 1000;
/** How often each instance applies factor changes whose veto window is over. */
const FACTOR_CHANGE_POLL_MS = 15_000;
/** How often each instance writes the last uses of sessions it saw (a use moves `last_seen_at` at most once a minute). */
const LAST_SEEN_FLUSH_MS = 5_000;
const LAST_SEEN_FAILURE = "writing sessions' last use failed";

function withinRequestTimeout(handler: MethodHandler | undefined, requestTimeoutMs: number): MethodHandler | undefined {
  return handler && ((invocation, ...params) => withDeadline(requestTimeoutMs, () => handler(invocation, ...params)));
}
