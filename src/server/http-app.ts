import { version } from '../version.ts';
import { finished } from 'node:stream';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { lazySchemaCompilers } from './lazy-schemas.ts';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Core } from '../core/index.ts';
import { nativeApi } from '../api/rest/index.ts';
import { installNativeErrors } from '../api/rest/errors.ts';
import { addSharedSchemas } from '../api/rest/schemas.ts';
import { healthRoutes } from '../api/rest/routes/health.ts';
import { createLinks } from '../api/http/links.ts';
import { installRateLimits } from '../api/http/rate-limit-hook.ts';
import type { ProxyTrust } from '../api/http/client-address.ts';
import { installMetrics } from '../api/http/metrics-route.ts';
import type { Metrics } from './metrics.ts';
import { qrRoute } from '../api/http/qr-route.ts';
import { backendlessApi } from '../api/backendless/index.ts';
import { webPage } from '../api/http/web-page.ts';
import { handleSockjsHttp } from '../api/ddp/server/index.ts';
import type { AppCredentials } from '../api/backendless/app-credentials.ts';
import { rocketChatApi } from '../api/rocketchat/index.ts';
import type { MethodHandler } from '../api/ddp/types.ts';
import { TwofoldError } from '../core/errors.ts';
import { runUntil } from '../store/index.ts';
import type { HttpDrain } from './http-drain.ts';

export interface HttpAppOptions {
  config: Pick<
    Config,
    'bodyLimitBytes' | 'publicUrl' | 'metricsToken' | 'production' | 'emailCodeTtlSeconds' | 'trustedDeviceDays' | 'stepUpWindowSeconds' | 'requireEmailConfirmation' | 'requestTimeoutMs'
  >;
  /** Whom forwarded headers are believed from (the same rule DDP uses: `proxyTrust`). */
  trust: ProxyTrust | false;
  metrics: Metrics;
  core: Core;
  backendless: AppCredentials;
  /** The DDP methods, also served over Rocket.Chat's REST `method.call`. */
  ddpMethods: ReadonlyMap<string, MethodHandler>;
  logger: Logger;
  ping: () => Promise<void>;
  /** The server's graceful stop: while it runs, requests are refused with 503 `server_busy`. */
  drain: HttpDrain;
}

/** Fastify with the OpenAPI document, the health probes and every HTTP façade. */
export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const schemas = lazySchemaCompilers();
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    schemaController: { compilersFactory: schemas.compilersFactory },
    bodyLimit: options.config.bodyLimitBytes,
    trustProxy: options.trust,
    // Fastify's own 503 while closing has neither our error shape nor Retry-After: `drain` answers instead.
    return503OnClosing: false,
    ajv: {
      // Strict bodies: unknown fields and wrong types are errors, never silently dropped or coerced.
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false },
    },
  });
  // Once listening, the schemas no request has needed yet are compiled in the background (lazy-schemas.ts).
  app.addHook('onListen', (done) => {
    schemas.warm().catch((error: unknown) => options.logger.error({ err: error }, 'a route schema does not compile'));
    done();
  });
  installNativeErrors(app);
  installStopAndDeadline(app, options.drain, options.config.requestTimeoutMs);
  noStoreByDefault(app);
  installRateLimits(app, options.core);
  installMetrics(app, options.metrics, { token: options.config.metricsToken, production: options.config.production });
  // SockJS' `/sockjs/info` (and its preflight) answer before CORS: browser SockJS clients fetch it with
  // credentials, which our bearer-token CORS policy refuses; nothing here uses cookies.
  app.addHook('onRequest', (request, reply, done) => {
    if (handleSockjsHttp(request.raw, reply.raw)) return void reply.hijack();
    done();
  });
  // Browser apps call us cross-origin. Sessions are bearer headers, never cookies, so no ambient
  // credential rides along and reflecting the origin is safe.
  await app.register(cors, {
    origin: true,
    credentials: false,
    allowedHeaders: ['content-type', 'authorization', 'user-token', 'bl-execution-type', 'x-2fa-code', 'x-2fa-method', 'x-user-id', 'x-auth-token'],
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    maxAge: 600,
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'twofold', description: 'Self-hosted two-factor authentication server', version },
      servers: [{ url: options.config.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, adminToken: { type: 'http', scheme: 'bearer', description: 'An admin API token (`twofold admin token create`), scoped.' } } },
    },
    // Shared schemas are components named by their `$id` (`#/components/schemas/User`), not `def-0`.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  addSharedSchemas(app);
  await app.register(healthRoutes, { ping: options.ping });
  const links = createLinks(options.config.publicUrl);
  await app.register(qrRoute, { core: options.core });
  const { emailCodeTtlSeconds, trustedDeviceDays, stepUpWindowSeconds, requireEmailConfirmation } = options.config;
  const policy = { emailCodeTtlSeconds, rememberDeviceDays: trustedDeviceDays, stepUpWindowSeconds, requireEmailConfirmation };
  await app.register(nativeApi, { prefix: '/v1', core: options.core, links, policy });
  await app.register(backendlessApi, { core: options.core, links, credentials: options.backendless, requireEmailConfirmation });
  await app.register(rocketChatApi, { prefix: '/api/v1', core: options.core, ddpMethods: options.ddpMethods, logger: options.logger });
  await app.register(webPage);
  return app;
}

/**
 * API answers carry session tokens, TOTP secrets, `otpauth` URIs and backup codes: no browser or proxy cache may
 * keep any of them, so every response is `no-store` unless its route says otherwise (the account page's hashed
 * assets are cached for a year, see web-page.ts).
 */
function noStoreByDefault(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    /** When this request's database work must be done (epoch milliseconds). */
    deadlineAtMs: number;
  }
}

/**
 * First of all hooks: a stopping server refuses new work in each façade's error shape (its handler for
 * the route renders the thrown error) with `Connection: close`; every other request gets a deadline for
 * its database work. The deadline lives in AsyncLocalStorage, which body parsing (socket events) does not
 * carry, so it is entered again once the body is read.
 */
function installStopAndDeadline(app: FastifyInstance, drain: HttpDrain, requestTimeoutMs: number): void {
  app.decorateRequest('deadlineAtMs', 0);
  app.addHook('onRequest', (request, reply, done) => {
    if (drain.stopping) {
      void reply.header('connection', 'close');
      // Answered once the body is in: closing a connection while request bytes still arrive resets it, and
      // the client may lose the answer with it (RFC 9112 9.6).
      request.raw.resume();
      return void finished(request.raw, () => done(new TwofoldError('server_busy')));
    }
    request.deadlineAtMs = Date.now() + requestTimeoutMs;
    runUntil(request.deadlineAtMs, done);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    runUntil(request.deadlineAtMs, done);
  });
}
