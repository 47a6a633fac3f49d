import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import client from 'prom-client';
import type { SecurityEventKind } from '../core/index.ts';

/**
 * The Prometheus metrics of one process. Workers of a cluster each keep their own; `/metrics` on any
 * worker answers the sum over all workers, gathered by the primary over IPC.
 */
export interface Metrics {
  registry: client.Registry;
  httpRequests: client.Counter<'route' | 'method' | 'status'>;
  httpDuration: client.Histogram<'route' | 'method'>;
  /** Called for each audited security event: logins, challenges, lockouts, replays. */
  observeEvent(kind: SecurityEventKind, details: Record<string, unknown>): void;
  mails: client.Counter<'result'>;
  /** Expired rows deleted by the purge, by table. */
  purgedRows: client.Counter<'table'>;
  /** Registers live readings taken at scrape time (DDP connections, pool use). */
  gauge(name: string, help: string, read: () => number | Record<string, number>, label?: string): void;
  /**
   * A reading of the shared database, taken at scrape time: every worker reads the same rows, so workers' values
   * are not summed but the largest kept (prom-client's `max` aggregator).
   */
  databaseGauge(name: string, help: string, read: () => Promise<Record<string, number>>, label: string): void;
  /** Metrics text for a scrape: this process, or every worker when clustered. */
  scrape(): Promise<string>;
}

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'twofold_' });
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) => new client.Counter({ name, help, labelNames, registers: [registry] });

  const httpRequests = counter('twofold_http_requests_total', 'HTTP requests by route, method and status', ['route', 'method', 'status']);
  const httpDuration = new client.Histogram({
    name: 'twofold_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const logins = counter('twofold_logins_total', 'Sign-ins by result', ['result', 'second_factor']);
  const challenges = counter('twofold_challenges_total', 'Second-factor challenges by method and outcome', ['method', 'outcome']);
  const lockouts = counter('twofold_lockouts_total', 'Accounts locked by the second-factor throttle', []);
  const replays = counter('twofold_totp_replays_rejected_total', 'TOTP codes refused because already used', []);
  const factorChanges = counter('twofold_factor_changes_total', 'Factors enabled and disabled', ['change', 'factor']);
  const mails = counter('twofold_mails_total', 'Mails handed over or failed', ['result']);
  const purgedRows = counter('twofold_purged_rows_total', 'Expired rows deleted by the purge, by table', ['table']);

  if (cluster.isWorker) {
    // Answer the primary's aggregation requests with this registry (see scrape()).
    new client.AggregatorRegistry();
    client.AggregatorRegistry.setRegistries([registry]);
  }

  return {
    registry,
    httpRequests,
    httpDuration,
    mails,
    purgedRows,
    observeEvent(kind, details) {
      const method = typeof details.method === 'string' ? details.method : 'none';
      if (kind === 'login_succeeded') logins.inc({ result: 'ok', second_factor: String(details.secondFactor === true) });
      else if (kind === 'login_failed') logins.inc({ result: 'failed', second_factor: 'false' });
      else if (kind === 'challenge_issued') challenges.inc({ method, outcome: 'issued' });
      else if (kind === 'challenge_passed') challenges.inc({ method, outcome: 'passed' });
      else if (kind === 'challenge_failed') challenges.inc({ method, outcome: 'failed' });
      else if (kind === 'account_locked') lockouts.inc();
      else if (kind === 'totp_replay_rejected') replays.inc();
      else if (kind === 'factor_enabled' || kind === 'factor_disabled') {
        factorChanges.inc({ change: kind === 'factor_enabled' ? 'enabled' : 'disabled', factor: String(details.factor ?? 'unknown') });
      }
    },
    gauge(name, help, read, label) {
      new client.Gauge({
        name,
        help,
        labelNames: label ? [label] : [],
        registers: [registry],
        collect() {
          const value = read();
          if (typeof value === 'number') this.set(value);
          else for (const [key, v] of Object.entries(value)) this.set({ [label!]: key }, v);
        },
      });
    },
    databaseGauge(name, help, read, label) {
      new client.Gauge({
        name,
        help,
        labelNames: [label],
        registers: [registry],
        aggregator: 'max',
        async collect() {
          for (const [key, v] of Object.entries(await read())) this.set({ [label]: key }, v);
        },
      });
    },
    scrape() {
      return cluster.isWorker ? askPrimary() : registry.metrics();
    },
  };
}

/** A worker's scrape: the primary aggregates every worker's registry and sends the text back. */
function askPrimary(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the primary did not answer the metrics request'));
    }, 5000);
    const onMessage = (message: { type?: string; id?: string; text?: string; error?: string }) => {
      if (message?.type !== 'twofold:metrics' || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (message.error) reject(new Error(message.error));
      else resolve(message.text ?? '');
    };
    process.on('message', onMessage);
    process.send!({ type: 'twofold:metrics-request', id });
  });
}

/** In the primary: answers workers' scrape requests with the sum over all workers. */
export function serveClusterMetrics(): void {
  const aggregator = new client.AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: string }) => {
    if (message?.type !== 'twofold:metrics-request') return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: 'twofold:metrics', id: message.id, text }),
      (error: Error) => worker.send({ type: 'twofold:metrics', id: message.id, error: error.message }),
    );
  });
}
