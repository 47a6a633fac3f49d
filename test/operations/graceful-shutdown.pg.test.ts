// Graceful shutdown: SIGTERM during a load run of keep-alive clients. Every request the server accepted
// before the signal is answered; no connection that carries a request is reset, so a client always knows
// whether its POST was processed: an answer, a 503 `server_busy` (documented shape, `Retry-After`,
// `Connection: close`), or a refused new connection. The process then exits by itself, within its grace.
import { describe, expect, inject, it } from 'vitest';
import { startServerProcess } from '../helpers/process.ts';
import { TEST_KEYS } from '../helpers/server.ts';

type Outcome = { sentAt: number; status: number | string; clean: boolean };

async function signInUntilStopped(url: string, email: string, password: string, signalAt: () => number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  // Each loop stops once the server refused it cleanly (or, as a safety net, ten seconds after the signal).
  for (;;) {
    const sentAt = performance.now();
    if (sentAt > signalAt() + 10_000) return outcomes;
    try {
      // A password sign-in: tens of milliseconds of argon2, so many are in flight at the signal.
      const res = await fetch(`${url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: email, password }),
      });
      const body = (await res.json()) as { error?: { code: string; message: string; details: object } };
      if (res.status === 201) {
        outcomes.push({ sentAt, status: 201, clean: true });
        continue;
      }
      const documented = res.status === 503 && body.error?.code === 'server_busy' && res.headers.get('retry-after') === '1';
      outcomes.push({ sentAt, status: `${res.status} ${body.error?.code ?? JSON.stringify(body)}`, clean: documented });
      return outcomes;
    } catch (error) {
      // A refused connection carried nothing: the only network failure that leaves no doubt.
      const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      outcomes.push({ sentAt, status: code, clean: code === 'ECONNREFUSED' });
      return outcomes;
    }
  }
}

async function sigtermUnderLoad(args: string[]) {
  const server = await startServerProcess({ DATABASE_URL: inject('databaseUrl')!, TWOFOLD_SECRET_KEYS: TEST_KEYS }, 30_000, undefined, args);
  const email = `sigterm.${Date.now()}.${args.length}@example.test`;
  const password = 'under load!';
  await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });

  let signalAt = Number.POSITIVE_INFINITY;
  const load = Array.from({ length: 12 }, () => signInUntilStopped(server.url, email, password, () => signalAt));
  await new Promise((r) => setTimeout(r, 1000));
  signalAt = performance.now();
  const exit = server.stop().then((code) => ({ code, afterMs: Math.round(performance.now() - signalAt) }));
  const outcomes = (await Promise.all(load)).flat();
  const exited = await exit;

  // No reset, no framework 503, no error of any other kind.
  const unclean = outcomes.filter((o) => !o.clean).map((o) => ({ ...o, msAfterSignal: Math.round(o.sentAt - signalAt) }));
  expect(unclean, `the process exited ${exited.afterMs} ms after the signal`).toEqual([]);
  // `sentAt` is when the client started the request; its bytes leave a little later (on a loaded machine,
  // hundreds of milliseconds later). Those sent well before the signal were in flight when it came, and
  // were all served.
  const accepted = outcomes.filter((o) => o.sentAt < signalAt - 500);
  expect(accepted.length).toBeGreaterThan(5);
  expect(accepted.filter((o) => o.status !== 201)).toEqual([]);
  // Every client ended on a clean refusal: the server told each keep-alive connection it was closing.
  expect(outcomes.filter((o) => o.status !== 201)).toHaveLength(12);
  expect(exited.code).toBe(0);
}

describe('SIGTERM under load', () => {
  it('one process: answers every request, resets no connection, and exits 0', () => sigtermUnderLoad([]));

  it('two workers (--workers 2): the same, for both', () => sigtermUnderLoad(['--workers', '2']));
});
