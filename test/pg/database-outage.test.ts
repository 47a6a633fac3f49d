// A database that goes away must cost availability, not correctness: requests fail fast with a typed 503
// and the server recovers by itself when PostgreSQL is back, without a restart.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { TEST_KEYS } from '../helpers/server.ts';

let server: ServerProcess | undefined;
let link: FaultProxy | undefined;
afterAll(async () => {
  await server?.stop();
  await link?.close();
});

describe('PostgreSQL goes away and comes back', () => {
  it('answers 503 while it is gone and recovers by itself', async () => {
    link = await startFaultProxy(inject('databaseUrl')!);
    server = await startServerProcess({ DATABASE_URL: link.url, TWOFOLD_SECRET_KEYS: TEST_KEYS });

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
    link.refuse(true);
    link.cut();
    await new Promise((r) => setTimeout(r, 700));
    const down = await ready();
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ error: { code: 'database_unavailable' } });
    expect(down.headers.get('retry-after')).toBe('1');
    const refused = await register();
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'database_unavailable' } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    loading = false;
    await Promise.all(load);
    expect(answers.length).toBeGreaterThan(8);
    expect(answers.every((a) => a.status === 201 || a.status === 503)).toBe(true);
    expect(answers.some((a) => a.status === 503)).toBe(true);
    // Bounded by the wait for a pooled connection (DB_POOL_WAIT_MS, 2 s), not by TCP's patience.
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(3000);

    link.refuse(false);
    let recovered = 0;
    for (let i = 0; i < 50 && recovered !== 200; i++) {
      recovered = (await ready()).status;
      if (recovered !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(recovered).toBe(200);
    expect((await register()).status).toBe(201);
  });
});
