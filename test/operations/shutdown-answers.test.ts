// A stopping server answers requests that reach it on open keep-alive connections instead of resetting
// them: 503 `server_busy` in the façade's own error shape, with `Retry-After` and `Connection: close`, so
// the client knows its request was not processed and retries elsewhere. New connections are refused.
import { Client } from 'undici';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.ts';

const json = { 'content-type': 'application/json' };

describe('requests that arrive while the server stops', () => {
  it('are refused in the documented shape of their API, and their connection is closed', async () => {
    const t = await startTestServer();
    // Two keep-alive connections, open before the stop begins.
    const native = new Client(t.url);
    const backendless = new Client(t.url);
    try {
      for (const client of [native, backendless]) expect((await (await client.request({ method: 'GET', path: '/healthz' })).body.json())).toEqual({ status: 'ok' });

      const stopped = t.server.close();
      const body = JSON.stringify({ login: 'someone@example.test', password: 'whatever it is' });
      const refused = await native.request({ method: 'POST', path: '/v1/sessions', headers: json, body });
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.headers.connection).toBe('close');
      expect(await refused.body.json()).toEqual({ error: { code: 'server_busy', message: expect.any(String), details: {} } });

      const refusedBl = await backendless.request({ method: 'POST', path: '/api/users/login', headers: json, body });
      expect(refusedBl.statusCode).toBe(503);
      expect(refusedBl.headers['retry-after']).toBe('1');
      expect(await refusedBl.body.json()).toMatchObject({ code: 8503, errorData: { reason: 'server_busy' } });

      await stopped;
      const late = await fetch(`${t.url}/healthz`).catch((error: Error) => error);
      expect((late as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    } finally {
      await Promise.all([native.close(), backendless.close()]);
    }
  });
});
