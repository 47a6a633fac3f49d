import { expect } from 'vitest';
import type { TestServer } from '../helpers/server.ts';
import { testDb, uniqueEmail } from '../helpers/db.ts';
import { authenticatorCode } from '../helpers/totp.ts';
import { connectSimpleDdp, sha256, type SimpleDdpClient } from '../helpers/ddp-clients.ts';

export interface RestAnswer {
  status: number;
  body: any;
}

/** One call of Rocket.Chat's REST API as its clients make it: JSON in, JSON out, under `/api/v1`. */
export async function rocketRest(
  t: TestServer,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<RestAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${t.url}/api/v1/${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** `X-User-Id` / `X-Auth-Token`, as Rocket.Chat clients keep them after a login. */
export const credentials = (login: { userId: string; authToken: string }) => ({ 'X-User-Id': login.userId, 'X-Auth-Token': login.authToken });

/** A user with a username and a verified address (through the mailed link), signed in nowhere yet. */
export async function verifiedUser(t: TestServer, label: string) {
  const email = uniqueEmail(label);
  const username = `${label}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  const password = 'rocket chat password';
  const registered = await t.request('POST', '/v1/users', { body: { email, password, username } });
  expect(registered.status).toBe(201);
  const token = new URL(t.notices.last('verify-email', email).link).searchParams.get('token');
  expect((await t.request('POST', '/v1/email-verification', { body: { token } })).status).toBe(200);
  return { email, username, password, userId: registered.body.user.id as string };
}

/** A verified user who turned email codes on (right after signing in with the password: no other proof needed). */
export async function emailCodeUser(t: TestServer, label: string) {
  const user = await verifiedUser(t, label);
  const { token } = (await t.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password } })).body;
  expect((await t.request('POST', '/v1/me/email-2fa', { token })).status).toBe(200);
  return user;
}

/** A verified user with an authenticator (enrolled over the native API right after signing in). */
export async function totpUser(t: TestServer, label: string) {
  const user = await verifiedUser(t, label);
  const { token } = (await t.request('POST', '/v1/sessions', { body: { login: user.email, password: user.password } })).body;
  const { secret } = (await t.request('POST', '/v1/me/totp', { token })).body;
  t.clock.advance(30_000);
  expect((await t.request('POST', '/v1/me/totp/confirm', { token, body: { code: authenticatorCode(secret, t.clock) } })).status).toBe(200);
  return { ...user, secret: secret as string };
}

/** The code of the last mail to `email`, written as the mail shows it (`123-456`). */
export function mailedCode(t: TestServer, email: string): string {
  const { code } = t.notices.last('email-code', email);
  return `${code.slice(0, 3)}-${code.slice(3)}`;
}

/** Waits for mail sent after an answer went out (`sendEmailCode` answers first, then mails). */
export async function mailCount(t: TestServer, email: string, atLeast: number): Promise<void> {
  const count = () => t.notices.sent.filter((n) => n.kind === 'email-code' && n.to.includes(email)).length;
  for (let i = 0; i < 200 && count() < atLeast; i++) await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 100 && count() < atLeast; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(count()).toBeGreaterThanOrEqual(atLeast);
}

/**
 * Waits until `count` email codes were stored for the user of `email`. A code is stored after its mail was handed
 * over (`mailNewEmailCode`: a failed delivery leaves the previous code), so a test that types the newest mailed
 * code right away waits for this, as a person reading the mail never has to.
 */
export async function codesStored(email: string, count: number): Promise<void> {
  const db = await testDb();
  const stored = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM email_codes WHERE user_id = (SELECT id FROM users WHERE email = $1)', [email]))[0]!.n;
  for (let i = 0; i < 200 && (await stored()) < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(await stored()).toBeGreaterThanOrEqual(count);
}

/** A verified user signed in over DDP (simpleddp); the client joins `clients`, for the test file to disconnect. */
export async function ddpSignedIn(t: TestServer, clients: SimpleDdpClient[], label: string) {
  const user = await verifiedUser(t, label);
  const ddp = await connectSimpleDdp(t.wsUrl);
  clients.push(ddp);
  await ddp.login({ user: { username: user.username }, password: { digest: sha256(user.password), algorithm: 'sha-256' } });
  return { ...user, ddp };
}

/** A user signed in over DDP with an authenticator (enrolled right after signing in: the password proves it). */
export async function ddpTotpUser(t: TestServer, clients: SimpleDdpClient[], label: string) {
  const user = await ddpSignedIn(t, clients, label);
  const { secret } = (await user.ddp.call('2fa:enable')) as { secret: string };
  t.clock.advance(30_000);
  const confirmed = (await user.ddp.call('2fa:validateTempToken', authenticatorCode(secret, t.clock))) as { codes: string[]; pendingUntil?: unknown };
  return { ...user, secret, codes: confirmed.codes, confirmed };
}
