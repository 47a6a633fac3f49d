import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type { PrettyOptions } from 'pino-pretty';

/**
 * First segments of twofold's own routes with more than one segment; any other first segment may be a
 * Backendless app id (8 characters at least, so none of these).
 */
const OWN_PREFIXES = new Set(['v1', 'api', 'docs', 'qr', 'sockjs', 'assets']);

/**
 * Request URLs may carry secrets (the email verification token in a query string, a Backendless
 * token in a path, the QR image id, the REST API key of `/<appId>/<apiKey>/...`). Logged URLs keep
 * only their shape.
 */
export function redactUrl(url: string): string {
  const path = url.split('?')[0] ?? '';
  let redactedPath = path.replace(/\/(isvalidusertoken|qr)\/[^/]+/gi, '/$1/[redacted]');
  // Any path that is not one of ours is read as the Backendless form: a guessed or mistyped key is hidden too.
  const [, first = '', second] = redactedPath.split('/');
  if (second && !OWN_PREFIXES.has(first)) {
    redactedPath = redactedPath.replace(/^(\/[^/]*\/)[^/]*/, '$1[redacted]');
  }
  return url.includes('?') ? `${redactedPath}?[redacted]` : redactedPath;
}

/**
 * JSON lines (one object per line, for log shippers), except at a terminal: when stdout is a TTY (and no destination
 * is given), short human lines through pino-pretty, an optional dependency (without it, JSON). `pretty` forces either.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, options: { pretty?: boolean } = {}): Logger {
  const pretty = options.pretty ?? (destination === undefined && process.stdout.isTTY === true);
  return pino(
    {
      level,
      base: { service: 'twofold' },
      // Defence in depth: these field names never reach a log line, whoever logs them.
      redact: {
        paths: ['password', 'token', 'code', 'secret', '*.password', '*.token', '*.code', '*.secret', 'headers.authorization', 'headers["user-token"]'],
        censor: '[redacted]',
      },
      serializers: {
        req(req: { method?: string; url?: string; ip?: string; headers?: Record<string, unknown> }) {
          return { method: req.method, url: redactUrl(req.url ?? ''), ip: req.ip };
        },
        err: pino.stdSerializers.err,
      },
    },
    (pretty ? prettyStream(destination) : undefined) ?? destination,
  );
}

/**
 * Fields the pretty line leaves out: constant ones (pid, host, service), and those the message already says in
 * words (the start-up line's url, database and mail; a request's method, path, status and time, which
 * `prettyMessage` writes). They stay in the JSON lines.
 */
const SAID_IN_WORDS = 'pid,hostname,service,reqId,req,res,responseTime,url,database,mail,docs,workers';

function prettyStream(destination: pino.DestinationStream | undefined): pino.DestinationStream | undefined {
  let pretty: (options: PrettyOptions) => pino.DestinationStream;
  try {
    pretty = createRequire(import.meta.url)('pino-pretty');
  } catch {
    return undefined;
  }
  // Synchronous: a CLI command that logs, then exits, loses no line.
  return pretty({
    translateTime: 'SYS:HH:MM:ss',
    ignore: SAID_IN_WORDS,
    singleLine: true,
    sync: true,
    messageFormat: prettyMessage,
    ...(destination ? { destination } : {}),
  });
}

/** Fastify's two lines per request, shortened to `GET /path` and `→ 200 in 4 ms` (the path redacted as in JSON). */
function prettyMessage(log: Record<string, unknown>, messageKey: string): string {
  const message = String(log[messageKey] ?? '');
  const req = log.req as { method?: string; url?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  if (message === 'incoming request' && req) return `${req.method} ${req.url}`;
  if (message === 'request completed' && res) return `→ ${res.statusCode} in ${Math.round(Number(log.responseTime ?? 0))} ms`;
  return message;
}
