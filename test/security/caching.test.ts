// Threat 18 (caching), OWASP ASVS 4.0.3 V8.2.1 and RFC 9111 §5.2.2.5: an answer that carries a session token,
// a TOTP secret, an `otpauth` URI or backup codes must not be kept by a browser cache or a shared proxy, where
// the next user of the machine or the proxy's operator could read it. Every API answer is `no-store` by
// default, on the native API, the Backendless façade and SockJS' HTTP endpoint; only the account page's hashed
// assets (no secret in them) are cached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { ensurePageBuilt } from '../helpers/browser.ts';

let t: TestServer;
beforeAll(async () => {
  ensurePageBuilt();
  t = await startTestServer();
});
afterAll(() => t.close());

const PASSWORD = 'nothing in the cache';

/** A fetch answer's cache policy, with what the body proves it carried. */
async function answer(response: Response) {
  const text = await response.text();
  return { status: response.status, cacheControl: response.headers.get('cache-control'), text };
}

function backendless(path: string, body: unknown, userToken?: string) {
  const { appId, apiKey } = t.server.backendless;
  return fetch(`${t.url}/${appId}/${apiKey}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(userToken ? { 'user-token': userToken } : {}) },
    body: JSON.stringify(body),
  });
}

const native = (method: string, path: string, body?: unknown, token?: string) =>
  fetch(`${t.url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

describe('threat 18: answers with secrets are never cached', () => {
  it('native API: registration with an authenticator, second-factor step, sign-in, enrolment, backup codes', async () => {
    const email = uniqueEmail('cache');
    const registered = await answer(await native('POST', '/v1/users', { email, password: PASSWORD, totp: true }));
    expect(registered.text).toContain('otpauth://');
    const { secret, transactionId } = JSON.parse(registered.text).totp;
    t.clock.advance(30_000);
    const confirmed = await answer(await native('POST', '/v1/sessions/second-factor', { transactionId, code: authenticatorCode(secret, t.clock) }));
    expect(confirmed.text).toMatch(/"token".*"backupCodes"/s);
    const token = JSON.parse(confirmed.text).token as string;

    const plainEmail = uniqueEmail('cacheplain');
    await native('POST', '/v1/users', { email: plainEmail, password: PASSWORD });
    const signedIn = await answer(await native('POST', '/v1/sessions', { login: plainEmail, password: PASSWORD }));
    expect(signedIn.text).toContain('"token"');

    t.clock.advance(30_000);
    const regenerated = await answer(await native('POST', '/v1/me/backup-codes', { code: authenticatorCode(secret, t.clock) }, token));
    expect(regenerated.text).toContain('backupCodes');
    const enrolment = await answer(await native('POST', '/v1/me/totp', undefined, token));
    expect(enrolment.text).toContain('otpauth://');
    const refused = await answer(await native('POST', '/v1/sessions', { login: email, password: 'wrong' }));

    for (const [what, response] of Object.entries({ registered, confirmed, signedIn, regenerated, enrolment, refused })) {
      expect(response.cacheControl, what).toBe('no-store');
    }
  });

  it('Backendless façade: login, enable2FA, authWith2FA', async () => {
    const email = uniqueEmail('cachebl');
    await native('POST', '/v1/users', { email, password: PASSWORD });
    const login = await answer(await backendless('/users/login', { login: email, password: PASSWORD }));
    const userToken = JSON.parse(login.text)['user-token'] as string;
    expect(userToken).toEqual(expect.any(String));
    const enabled = await answer(await backendless('/services/TOTP/enable2FA', {}, userToken));
    const { secret, transactionId } = JSON.parse(enabled.text);
    expect(secret).toEqual(expect.any(String));
    t.clock.advance(30_000);
    const finished = await answer(await backendless('/services/TOTP/authWith2FA', { transactionId, code: authenticatorCode(secret, t.clock) }));
    expect(finished.text).toContain('user-token');

    for (const [what, response] of Object.entries({ login, enabled, finished })) expect(response.cacheControl, what).toBe('no-store');
  });

  it('every other API answer too, while the page keeps caching its hashed assets', async () => {
    for (const path of ['/v1/me', '/healthz', '/nothing-here', '/sockjs/info']) {
      expect((await fetch(`${t.url}${path}`)).headers.get('cache-control'), path).toMatch(/^no-store/);
    }
    const page = await fetch(`${t.url}/`);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const asset = /(?:src|href)="\.\/(assets\/[^"]+)"/.exec(await page.text())![1]!;
    expect((await fetch(`${t.url}/${asset}`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});
