// A database that goes away must cost availability, not correctness: requests fail fast with a typed 503
// and the server recovers by itself when PostgreSQL is back, without a restart.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { TEST_KEYS } from '../helpers/server.ts';

/** A TCP relay in front of PostgreSQL that the test can cut and restore, like a network partition. */
function relay(target: URL) {
  let sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop);
        upstream.on('error', drop);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  return {
    start,
    get port() {
      return port;
    },
    async cut() {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      for (const s of sockets) s.destroy();
      sockets = new Set();
      await closed;
    },
  };
}

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
});

describe('PostgreSQL goes away and comes back', () => {
  it('answers 503 while it is gone and recovers by itself', async () => {
    const target = new URL(inject('databaseUrl')!);
    const link = relay(target);
    await link.start();
    const viaRelay = new URL(target);
    viaRelay.host = `127.0.0.1:${link.port}`;
    server = await startServerProcess({ DATABASE_URL: viaRelay.toString(), TWOFOLD_SECRET_KEYS: TEST_KEYS });

    const ready = () => fetch(`${server!.url}/readyz`);
    const register = () =>
      fetch(`${server!.url}/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `outage.${Date.now()}.${Math.random()}@example.test`, password: 'outage proof' }),
      });
    expect((await ready()).status).toBe(200);

    // Load keeps coming while PostgreSQL is cut off: every answer is quick and typed, none hangs.
    let loading = true;
    const answers: Array<{ status: number; ms: number }> = [];
    const load = Array.from({ length: 8 }, async () => {
      while (loading) {
        const started = Date.now();
        const res = await register();
        answers.push({ status: res.status, ms: Date.now() - started });
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    await link.cut();
    await new Promise((r) => setTimeout(r, 700));
    const down = await ready();
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ error: { code: 'database_unavailable' } });
    const refused = await register();
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'database_unavailable' } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    loading = false;
    await Promise.all(load);
    expect(answers.length).toBeGreaterThan(8);
    expect(answers.every((a) => a.status === 201 || a.status === 503)).toBe(true);
    expect(answers.some((a) => a.status === 503)).toBe(true);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(6000);

    await link.start();
    let recovered = 0;
    for (let i = 0; i < 50 && recovered !== 200; i++) {
      recovered = (await ready()).status;
      if (recovered !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(recovered).toBe(200);
    expect((await register()).status).toBe(201);
  });
});
