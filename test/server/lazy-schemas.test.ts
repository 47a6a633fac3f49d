// Route schemas are compiled when first used or by warm() after listening (src/server/lazy-schemas.ts): the same
// Ajv and fast-json-stringify results as Fastify's eager compilers, minus their share of the start-up.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from '../../src/server/lazy-schemas.ts';

const body = { type: 'object', properties: { name: { type: 'string', maxLength: 3 } }, required: ['name'], additionalProperties: false };
const response = { 200: { type: 'object', properties: { name: { type: 'string' } } } };

async function appWith(compilers: ReturnType<typeof lazySchemaCompilers> | null) {
  const app = Fastify(compilers ? { schemaController: { compilersFactory: compilers.compilersFactory } } : {});
  // The response schema drops what it does not name, as fast-json-stringify does.
  app.post('/echo', { schema: { body, response } }, async (request) => ({ ...(request.body as object), secret: 'not serialised' }));
  await app.ready();
  return app;
}

describe('lazily compiled route schemas', () => {
  it('answer exactly as the eager compilers do: valid, invalid (with the same message), serialised', async () => {
    const eager = await appWith(null);
    const compilers = lazySchemaCompilers();
    const lazy = await appWith(compilers);
    expect(compilers.waiting).toBe(2);
    try {
      for (const payload of [{ name: 'abc' }, { name: 'abcd' }, {}, { name: 'a', extra: 1 }, { name: 7 }]) {
        const [a, b] = await Promise.all([eager, lazy].map((app) => app.inject({ method: 'POST', url: '/echo', payload })));
        expect({ status: b!.statusCode, body: b!.json() }).toEqual({ status: a!.statusCode, body: a!.json() });
      }
      expect((await lazy.inject({ method: 'POST', url: '/echo', payload: { name: 'ok' } })).json()).toEqual({ name: 'ok' });
      // Compiled by those requests, not before.
      expect(compilers.waiting).toBe(0);
    } finally {
      await eager.close();
      await lazy.close();
    }
  });

  it('compile what no request needed when warmed, and a schema that cannot compile fails the warm-up', async () => {
    const compilers = lazySchemaCompilers();
    const app = Fastify({ schemaController: { compilersFactory: compilers.compilersFactory } });
    app.post('/broken', { schema: { body: { type: 'object', properties: { a: { type: 'no such type' } } } } }, async () => ({}));
    await app.ready();
    try {
      await expect(compilers.warm()).rejects.toThrow(/type/);
      expect((await app.inject({ method: 'POST', url: '/broken', payload: { a: 1 } })).statusCode).toBe(500);
    } finally {
      await app.close();
    }
  });

  it('leave nothing to compile once warmed', async () => {
    const compilers = lazySchemaCompilers();
    const app = await appWith(compilers);
    try {
      // The body's validator and the 200 serializer wait until then.
      expect(compilers.waiting).toBe(2);
      await compilers.warm();
      expect(compilers.waiting).toBe(0);
      // A second warm-up finds nothing waiting and resolves at once.
      await expect(compilers.warm()).resolves.toBeUndefined();
      expect((await app.inject({ method: 'POST', url: '/echo', payload: { name: 'abcd' } })).statusCode).toBe(400);
    } finally {
      await app.close();
    }
  });
});
