// Threat 20 (logs), OWASP ASVS 4.0.3 V7.1.1 and security.md: no API key, token, code or secret in any log line
// at any level, URL paths included. The Backendless façade takes its REST API key in the path
// (`/<appId>/<apiKey>/users/login`, as the SDK's `initApp(appId, apiKey)` builds it), so every request to it
// would write the key into the request log. Logged URLs keep their shape with the key replaced.
// (A key twofold generates itself is shown once at start-up, for the operator to copy: README. Here the
// key is configured, as in production, so no line at all may hold it.)
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { redactUrl } from '../../src/server/logger.ts';

let t: TestServer;
const logLines: string[] = [];
beforeAll(async () => {
  t = await startTestServer({ TWOFOLD_APP_ID: 'logs-test-app', TWOFOLD_API_KEY: 'logs-test-rest-api-key-7f3a' }, { logLines });
});
afterAll(() => t.close());

describe('threat 20: the REST API key in Backendless URLs', () => {
  it('never reaches the log, whatever the request: sign-in, a service call, an unknown path, a wrong key', async () => {
    const { appId, apiKey } = t.server.backendless;
    const email = uniqueEmail('logs');
    await t.request('POST', '/v1/users', { body: { email, password: 'keys stay out of logs' } });
    const post = (path: string, body: unknown) =>
      fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect((await post(`/${appId}/${apiKey}/users/login`, { login: email, password: 'keys stay out of logs' })).status).toBe(200);
    expect((await post(`/${appId}/${apiKey}/services/TOTP/status`, {})).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${t.url}/${appId}/${apiKey}/no/such/route?x=1`)).status).toBe(404);
    const guessed = 'a-guessed-api-key-0001';
    expect((await post(`/${appId}/${guessed}/users/login`, { login: email, password: 'x' })).status).toBe(401);

    const log = logLines.join('');
    expect(log).toContain(`/${appId}/[redacted]/users/login`);
    expect(log).not.toContain(apiKey);
    expect(log).not.toContain(guessed);
  });

  it('keeps the URLs of twofold’s own routes readable', () => {
    expect(redactUrl('/v1/me/sessions/0b6f0c1e')).toBe('/v1/me/sessions/0b6f0c1e');
    expect(redactUrl('/assets/index-3f2a.js')).toBe('/assets/index-3f2a.js');
    expect(redactUrl('/api/users/login')).toBe('/api/users/login');
    expect(redactUrl('/sockjs/info')).toBe('/sockjs/info');
    // Already redacted before: tokens in paths and query strings.
    expect(redactUrl('/api/users/isvalidusertoken/secret-token')).toBe('/api/users/isvalidusertoken/[redacted]');
    expect(redactUrl('/v1/email-verification/confirm?token=secret')).toBe('/v1/email-verification/confirm?[redacted]');
  });
});

describe('threat 20: a password reset', () => {
  it('leaves neither the link’s token nor the new password in any log line', async () => {
    const email = uniqueEmail('logs-reset');
    await t.request('POST', '/v1/users', { body: { email, password: 'the forgotten one' } });
    await fetch(`${t.url}/api/users/restorepassword/${encodeURIComponent(email)}`);
    const link = (await vi.waitFor(() => t.notices.last('password-reset', email))).link;
    const token = decodeURIComponent(new URL(link).hash.replace('#reset=', ''));
    expect((await t.request('POST', '/v1/password-resets/confirm', { body: { token, password: 'the remembered one' } })).status).toBe(204);
    const log = logLines.join('');
    expect(log).toContain('/v1/password-resets/confirm');
    expect(log).not.toContain(token);
    expect(log).not.toContain('the remembered one');
  });
});
