import type { FastifyInstance } from 'fastify';
import { constantTimeEqual } from '../../core/crypto/constant-time.ts';
import { TwofoldError } from '../../core/errors.ts';
import type { Metrics } from '../../server/metrics.ts';

/**
 * Request metrics for every route, and `/metrics` in Prometheus text. With a token the scrape needs
 * `Authorization: Bearer <token>`; without one it is served only outside production.
 */
export function installMetrics(app: FastifyInstance, metrics: Metrics, options: { token: string | undefined; production: boolean }): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route template, never the raw URL: paths may hold tokens, and labels must stay few.
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { route, method: request.method };
    metrics.httpRequests.inc({ ...labels, status: String(reply.statusCode) });
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  if (!options.token && options.production) return;
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (options.token) {
      const presented = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!constantTimeEqual(Buffer.from(presented), Buffer.from(options.token))) throw new TwofoldError('not_authenticated');
    }
    return reply.type(metrics.registry.contentType).send(await metrics.scrape());
  });
}
