import { Client } from 'undici';
import { LatencyRecorder, type LatencySummary } from './stats.ts';

/**
 * The load generator: a closed loop of N connections (like wrk's `-c N`), each a keep-alive undici
 * Client with one request in flight at a time. Latency is timed with process.hrtime.bigint() around
 * the whole iteration (request out, body fully read), so sub-millisecond figures are real.
 * Only iterations that finish inside the measured window count; a warm-up precedes it.
 */

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  /** Serialised as JSON. */
  json?: unknown;
}

/** One keep-alive connection to `origin`. */
export class Connection {
  readonly #client: Client;

  constructor(readonly origin: string) {
    this.#client = new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000, connect: { timeout: 10_000 } });
  }

  async send(spec: RequestSpec): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...spec.headers };
    let body: string | undefined;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['content-type'] = 'application/json';
    }
    const response = await this.#client.request({ method: spec.method, path: spec.path, headers, body });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body: text };
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}

export interface ClosedLoopOptions<S> {
  origin: string;
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** Per-connection state (cookies, a user), created once. */
  setup?: (index: number) => S;
  /**
   * One iteration on one connection. Returns false (or throws) when the outcome is wrong; the iteration
   * then counts as an error, not as throughput. Returns null when there is no work left (supply ran out).
   */
  iteration: (connection: Connection, state: S) => Promise<boolean | null>;
}

export interface LoadResult {
  /** Successful iterations per second in the measured window. */
  rate: number;
  ok: number;
  errors: number;
  /** Iterations that found no work (the supply of users or transactions ran out): a sizing bug if > 0. */
  starved: number;
  seconds: number;
  latency: LatencySummary;
  firstError?: string;
  /** The measured window on the monotonic clock, in microseconds (V8 CPU profiles use the same clock). */
  windowUs: [number, number];
}

export async function runClosedLoop<S>(options: ClosedLoopOptions<S>): Promise<LoadResult> {
  const connections = Array.from({ length: options.connections }, () => new Connection(options.origin));
  const startNs = process.hrtime.bigint();
  const measureFrom = startNs + BigInt(Math.round(options.warmupMs * 1e6));
  const measureTo = measureFrom + BigInt(Math.round(options.durationMs * 1e6));
  const latencies = new LatencyRecorder();
  let ok = 0;
  let errors = 0;
  let starved = 0;
  let firstError: string | undefined;

  const loop = async (connection: Connection, index: number) => {
    const state = options.setup ? options.setup(index) : (undefined as S);
    for (;;) {
      const begin = process.hrtime.bigint();
      if (begin >= measureTo) return;
      let outcome: boolean | null;
      try {
        outcome = await options.iteration(connection, state);
      } catch (error) {
        outcome = false;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      const end = process.hrtime.bigint();
      if (outcome === null) {
        starved++;
        return;
      }
      if (begin < measureFrom || end > measureTo) continue;
      if (outcome) {
        ok++;
        latencies.add(Number(end - begin));
      } else {
        errors++;
      }
    }
  };
  try {
    await Promise.all(connections.map((connection, index) => loop(connection, index)));
  } finally {
    await Promise.all(connections.map((connection) => connection.close().catch(() => undefined)));
  }
  const seconds = options.durationMs / 1000;
  return {
    rate: ok / seconds,
    ok,
    errors,
    starved,
    seconds,
    latency: latencies.summary(),
    windowUs: [Number(measureFrom / 1000n), Number(measureTo / 1000n)],
    ...(firstError ? { firstError } : {}),
  };
}

/** Reads `name=value` pairs out of Set-Cookie headers (attributes dropped), for a cookie jar of one. */
export function cookiesOf(headers: HttpResponse['headers']): Record<string, string> {
  const raw = headers['set-cookie'];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const jar: Record<string, string> = {};
  for (const line of lines) {
    const pair = line.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq > 0) jar[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return jar;
}

export function cookieHeader(jar: Record<string, string>): string {
  return Object.entries(jar)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}
