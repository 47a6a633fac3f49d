// Graceful shutdown: SIGTERM during a load run. Every request the server accepted before the signal is
// answered; the process then exits by itself, within its grace period.
import { describe, expect, inject, it } from 'vitest';
import { startServerProcess } from '../helpers/process.ts';
import { TEST_KEYS } from '../helpers/server.ts';

describe('SIGTERM under load', () => {
  it('fails none of the requests sent before the signal, and exits 0', async () => {
    const server = await startServerProcess({ DATABASE_URL: inject('databaseUrl')!, TWOFOLD_SECRET_KEYS: TEST_KEYS });
    const email = `sigterm.${Date.now()}@example.test`;
    await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'under load!' }) });

    let signalAt = Number.POSITIVE_INFINITY;
    const outcomes: Array<{ sentAt: number; ok: boolean; status: number | string }> = [];
    const worker = async () => {
      // Each loop stops as soon as the server refuses to take new work.
      for (;;) {
        const sentAt = performance.now();
        if (sentAt > signalAt + 2000) return;
        try {
          // A password sign-in: tens of milliseconds of argon2, so many are in flight at the signal.
          const res = await fetch(`${server.url}/v1/sessions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ login: email, password: 'under load!' }),
          });
          await res.arrayBuffer();
          outcomes.push({ sentAt, ok: res.status === 201, status: res.status });
        } catch (error) {
          outcomes.push({ sentAt, ok: false, status: (error as Error).message });
          if (sentAt > signalAt) return;
        }
      }
    };
    const load = Array.from({ length: 8 }, worker);
    await new Promise((r) => setTimeout(r, 800));
    signalAt = performance.now();
    const exit = server.stop();
    await Promise.all(load);
    expect(await exit).toBe(0);

    // `sentAt` is when the client started the request; its bytes leave a little later. A request started in
    // the last moments before the signal may reach a server that has begun draining: it gets a clean 503
    // (`Connection: close`, retry elsewhere), never a cut connection or an error.
    const accepted = outcomes.filter((o) => o.sentAt < signalAt - 100);
    expect(accepted.length).toBeGreaterThan(10);
    expect(accepted.filter((o) => !o.ok)).toEqual([]);
    const racing = outcomes.filter((o) => o.sentAt >= signalAt - 100 && o.sentAt < signalAt);
    expect(racing.filter((o) => !o.ok && o.status !== 503)).toEqual([]);
  });
});
