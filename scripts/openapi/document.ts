import { loadConfig } from '../../src/config.ts';
import { createServer } from '../../src/server/create-server.ts';
import { createLogger } from '../../src/server/logger.ts';
import type { Db } from '../../src/store/index.ts';

/** The server's OpenAPI document, with a fixed server URL so the committed copy is stable. */
export async function buildOpenApiDocument(db?: Db): Promise<Record<string, unknown>> {
  const config = loadConfig({
    DATABASE_URL: 'memory://',
    TWOFOLD_SECRET_KEYS: 'doc:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
    PUBLIC_URL: 'http://localhost:8080',
    NODE_ENV: 'test',
  });
  const server = await createServer({ config, logger: createLogger('silent'), ...(db ? { db } : {}) });
  try {
    await server.app.ready();
    return server.app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await server.close();
  }
}
