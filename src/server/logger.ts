import pino, { type Logger } from 'pino';

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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
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
    destination,
  );
}
