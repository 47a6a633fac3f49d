import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** Where `npm run build` writes the account page (web/, built by Vite). */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Sent with every response of the account page: it runs our own script and style only, in no frame. */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'cross-origin-opener-policy': 'same-origin',
};

const NOT_BUILT =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
  '<title>Account page not built</title></head><body><main><h1>Account page not built</h1>' +
  '<p>This server has no account page yet: run <code>npm run build</code>, then restart it.</p>' +
  '<p>The API works meanwhile: see <a href="/docs">/docs</a>.</p></main></body></html>';

/**
 * The account page at `/` (index.html, never cached) and its hashed files under `/assets/` (cached for a
 * year), served from `web/dist` with the `.br`/`.gz` twins the build writes. Routes exist only for the
 * files present at start-up (no catch-all: every other URL keeps its own 404), so restart after a build.
 * Without a build, `/` answers 503 with what to do.
 */
export const webPage: FastifyPluginAsync<{ root?: string }> = async (app, options) => {
  const root = options.root ?? WEB_DIST;

  // Encapsulated: these headers go with the page's responses only, not with the API's.
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) void reply.header(name, value);
    return payload;
  });

  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ root }, 'the account page is not built (npm run build): / answers 503');
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.status(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT),
    );
    return;
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    globIgnore: ['**/*.br', '**/*.gz'],
    preCompressed: true,
    decorateReply: false,
    schemaHide: true,
    cacheControl: false,
    setHeaders: (reply, path) => {
      const hashed = relative(root, path).startsWith(`assets${sep}`);
      void reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-store');
    },
  });
};
