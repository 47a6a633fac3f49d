import { expect } from 'vitest';
import type { TestServer } from './server.ts';
import { uniqueEmail } from './db.ts';
import { authenticatorCode } from './totp.ts';

export interface EnrolledUser {
  email: string;
  password: string;
  secret: string;
  backupCodes: string[];
  token: string;
  userId: string;
}

/** Registers through the native API with an authenticator and confirms it with its first code. */
export async function enrolledUser(t: TestServer, label = 'totp'): Promise<EnrolledUser> {
  const email = uniqueEmail(label);
  const password = 'correct horse battery';
  const reg = await t.request('POST', '/v1/users', { body: { email, password, totp: true } });
  expect(reg.status).toBe(201);
  const { secret, transactionId } = reg.body.totp;
  t.clock.advance(30_000);
  const confirmed = await t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, code: authenticatorCode(secret, t.clock) } });
  expect(confirmed.status).toBe(201);
  return { email, password, secret, backupCodes: confirmed.body.backupCodes, token: confirmed.body.token, userId: reg.body.user.id };
}

export async function startLogin(t: TestServer, email: string, password: string): Promise<string> {
  const res = await t.request('POST', '/v1/sessions', { body: { login: email, password } });
  expect(res.status).toBe(202);
  return res.body.transactionId;
}

export const verify = (t: TestServer, transactionId: string, code: unknown) =>
  t.request('POST', '/v1/sessions/second-factor', { body: { transactionId, code } });
