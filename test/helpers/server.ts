import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.ts';
import { createServer, type TwofoldServer } from '../../src/server/create-server.ts';
import type { Db } from '../../src/store/index.ts';
import { createLogger } from '../../src/server/logger.ts';
import { TestClock } from './clock.ts';
import { anotherPool, testDb } from './db.ts';
import { poolerUrl } from './pg-admin.ts';
import { RecordingNotifier } from './notices.ts';

export interface TestServer {
  url: string;
  /** The raw DDP WebSocket endpoint. */
  wsUrl: string;
  server: TwofoldServer;
  clock: TestClock;
  notices: RecordingNotifier;
  /**
   * JSON request helper: returns status, headers and parsed body. In the PgBouncer pass it takes turns
   * between two server instances, each with its own pool, so every flow and burst crosses both.
   */
  request(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** A port free right now, so PUBLIC_URL (used in links and QR URLs) can name it before the server starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function lineCollector(lines: string[]) {
  return new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
}

export const TEST_KEYS = 'test1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';

/** A real server on 127.0.0.1 with a random port, on the suite's shared database. */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { realMail?: boolean; logLines?: string[]; publicHost?: string } = {},
): Promise<TestServer> {
  const clock = new TestClock();
  const notices = new RecordingNotifier();
  const first = await startInstance(env, options, { clock, notices, db: await testDb() });
  // Behind PgBouncer, a second instance on its own pool: the pooler, not one process, must keep them honest.
  const twinDb = poolerUrl() ? anotherPool() : undefined;
  const twin = twinDb ? await startInstance(env, options, { clock, notices, db: twinDb }) : undefined;
  const urls = twin ? [first.url, twin.url] : [first.url];
  let turn = 0;
  const { url, server } = first;
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/websocket`,
    server,
    clock,
    notices,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      const base = urls[turn++ % urls.length]!;
      const response = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async close() {
      await server.close();
      await twin?.server.close();
      await twinDb?.close();
    },
  };
}

async function startInstance(
  env: Record<string, string>,
  options: { realMail?: boolean; logLines?: string[]; publicHost?: string },
  shared: { clock: TestClock; notices: RecordingNotifier; db: Db },
): Promise<{ url: string; server: TwofoldServer }> {
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: 'memory://',
    TWOFOLD_SECRET_KEYS: TEST_KEYS,
    DATA_DIR: '.tmp/test-data',
    // Browsers refuse WebAuthn on an IP address: a browser test names the server `localhost`.
    PUBLIC_URL: `http://${options.publicHost ?? '127.0.0.1'}:${port}`,
    // The suite signs in hundreds of times from one IP; the limits have their own test.
    RATE_LIMITS: 'false',
    // Tests move their clock forward: a purge on its own timer would delete rows another test still reads.
    PURGE_INTERVAL_SECONDS: '0',
    ...env,
  });
  const server = await createServer({
    config,
    db: shared.db,
    clock: shared.clock,
    // With realMail, mail goes where the config says (e.g. SMTP_URL of a test sink), as in production.
    ...(options.realMail ? {} : { notifier: shared.notices }),
    // With logLines, every log line at every level is kept for the test to inspect.
    logger: options.logLines ? createLogger('trace', lineCollector(options.logLines)) : createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
  const listening = await server.listen();
  return { url: options.publicHost ? listening.replace('127.0.0.1', options.publicHost) : listening, server };
}
