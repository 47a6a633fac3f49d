import { createServer } from 'node:http';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { createAuth } from './auth.ts';

/**
 * Better Auth served by node:http (its `toNodeHandler`), as a child process of the benchmark.
 *   node --import tsx bench/peers/better-auth/server.ts migrate   apply its schema to DATABASE_URL and exit
 *   node --import tsx bench/peers/better-auth/server.ts           serve on 127.0.0.1:PORT
 * `GET /ready` answers 200 once it listens (Better Auth's own `/api/auth/ok` would do too).
 */
const databaseUrl = process.env.DATABASE_URL;
const secret = process.env.BETTER_AUTH_SECRET;
const port = Number(process.env.PORT ?? 0);
if (!databaseUrl || !secret) throw new Error('DATABASE_URL and BETTER_AUTH_SECRET are required');

const { auth, database } = createAuth({ databaseUrl, secret, baseURL: `http://127.0.0.1:${port}` });

if (process.argv[2] === 'migrate') {
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  await database.end();
} else {
  const handler = toNodeHandler(auth);
  const server = createServer((request, response) => {
    if (request.url === '/ready') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    void handler(request, response);
  });
  server.listen(port, '127.0.0.1');
  const stop = () => {
    server.close(() => void database.end().then(() => process.exit(0)));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
