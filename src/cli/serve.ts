import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { createServer } from '../server/create-server.ts';
import { createLogger } from '../server/logger.ts';
import { serveClusterMetrics } from '../server/metrics.ts';
import { migrate, openDb } from '../store/index.ts';

/**
 * Time a stopping process gives in-flight requests and DDP methods before it exits anyway: their deadline,
 * the drain's last second, then closing the pool (10 s by default: Docker's stop timeout).
 */
const shutdownGraceMs = (config: Config) => config.requestTimeoutMs + 5_000;

/**
 * `twofold serve [--workers N]`: one process, or a primary with N workers sharing the port (node:cluster).
 * Workers hold no shared state in memory — sessions, transactions, replay steps and rate limits all live in
 * PostgreSQL — so any worker (or machine) may serve any request. The embedded PGlite database belongs to
 * one process, so it always runs a single process.
 */
export async function serve(config: Config, requestedWorkers: number | undefined): Promise<number> {
  if (cluster.isWorker) return serveOne(config, true);
  const workers = requestedWorkers ?? (config.database.kind === 'postgres' ? availableParallelism() : 1);
  if (workers > 1 && config.database.kind !== 'postgres') {
    createLogger(config.logLevel).warn({ workers }, 'the embedded database serves one process: ignoring --workers');
    return serveOne(config, false);
  }
  return workers > 1 ? servePrimary(config, workers) : serveOne(config, false);
}

async function serveOne(config: Config, asWorker: boolean): Promise<number> {
  const server = await createServer({ config });
  const url = await server.listen();
  if (asWorker) process.send?.({ type: 'twofold:listening', url });
  else server.logger.info(startupFields(config, url), startupLine(config, url));
  const code = await untilStopped(server.logger, shutdownGraceMs(config), () => server.close());
  // A worker's IPC channel would keep it alive after its server closed.
  if (asWorker) process.disconnect?.();
  return code;
}

async function servePrimary(config: Config, workers: number): Promise<number> {
  const logger = createLogger(config.logLevel);
  // Migrate once up front, so N workers do not queue on the advisory lock at start.
  const db = await openDb(config.database);
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  serveClusterMetrics();

  let stopping = false;
  let listening = 0;
  const fork = () => cluster.fork();
  cluster.on('message', (_worker, message: { type?: string; url?: string }) => {
    if (message?.type !== 'twofold:listening') return;
    listening += 1;
    if (listening === workers) logger.info({ ...startupFields(config, message.url!), workers }, `${startupLine(config, message.url!)} (${workers} workers)`);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
    setTimeout(fork, 1000).unref();
  });
  for (let i = 0; i < workers; i++) fork();

  // A worker's own grace runs out first; the primary outlasts it by a second.
  return untilStopped(logger, shutdownGraceMs(config) + 1_000, async () => {
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead());
    await Promise.all(
      alive.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker!.once('exit', () => resolve());
            worker!.process.kill('SIGTERM');
          }),
      ),
    );
  });
}

/** The start-up line says where to go, what the data is kept in and where mail goes (no credential of either URL). */
function startupLine(config: Config, url: string): string {
  const { database } = config;
  const db =
    database.kind === 'postgres'
      ? `PostgreSQL at ${withoutCredentials(database.url)}`
      : database.dataDir
        ? `embedded PostgreSQL (PGlite) in ${database.dataDir}`
        : 'embedded PostgreSQL (PGlite) in memory, lost on exit';
  const mail = config.smtpUrl ? `SMTP ${withoutCredentials(config.smtpUrl)}` : `.eml files in ${join(config.dataDir, 'outbox')} (no SMTP_URL)`;
  return `twofold is listening on ${url} · database: ${db} · mail: ${mail}`;
}

function startupFields(config: Config, url: string) {
  return { url, docs: `${url}/docs`, database: config.database.kind, mail: config.smtpUrl ? 'smtp' : 'outbox' };
}

function withoutCredentials(raw: string): string {
  const url = new URL(raw);
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** Resolves with the exit code once SIGTERM/SIGINT has been handled by `stop` (or its time ran out). */
function untilStopped(logger: ReturnType<typeof createLogger>, graceMs: number, stop: () => Promise<void>): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: finishing in-flight requests');
      const timer = setTimeout(() => {
        logger.error('shutdown took too long; exiting');
        resolve(1);
      }, graceMs);
      timer.unref();
      stop().then(
        () => {
          clearTimeout(timer);
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error during shutdown');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
}
