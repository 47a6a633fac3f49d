import type { CodePool } from './code-pool.ts';
import type { Connection, HttpResponse } from './load.ts';
import type { SeededUser } from './twofold.ts';
import { BENCH_PASSWORD } from './twofold.ts';
import { currentStep, totpCode } from './totp-client.ts';

/** twofold's REST flows, one iteration each, as the load generator drives them. */

/** The 2FA step: a pending transaction and the user's current code → 201 with a session token. */
export function twofoldSecondFactor(pool: CodePool<SeededUser>) {
  return async (connection: Connection): Promise<boolean | null> => {
    const grant = pool.take();
    if (!grant) return null;
    try {
      const response = await connection.send({
        method: 'POST',
        path: '/v1/sessions/second-factor',
        json: { transactionId: grant.ticket, code: grant.code },
      });
      if (response.status !== 201) throw new Error(`second factor: ${response.status} ${response.body.slice(0, 200)}`);
      return true;
    } finally {
      pool.release(grant);
    }
  };
}

/** A code off by one digit (no step of the window makes it): a wrong answer, its transaction not consumed. */
export function wrongCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(code.length, '0');
}

/**
 * The 2FA step with a wrong code (`send` posts it with the grant's pending login): 401 expected, an attempt
 * taken. The ticket is spent (never reused); the user's time step is left unspent for a right code later.
 */
export function wrongCodeIteration<T>(pool: CodePool<T>, send: (connection: Connection, ticket: string, code: string) => Promise<HttpResponse>) {
  return async (connection: Connection): Promise<boolean | null> => {
    const grant = pool.take();
    if (!grant) return null;
    grant.user.lastStep = grant.step - 1;
    try {
      const response = await send(connection, grant.ticket, wrongCode(grant.code));
      if (response.status !== 401) throw new Error(`wrong code: ${response.status} ${response.body.slice(0, 200)}`);
      return true;
    } finally {
      pool.release(grant);
    }
  };
}

export const twofoldWrongCode = (pool: CodePool<SeededUser>) =>
  wrongCodeIteration(pool, (connection, transactionId, code) => connection.send({ method: 'POST', path: '/v1/sessions/second-factor', json: { transactionId, code } }));

/** Password → transaction → code → session → GET /v1/me. Uses the pool only for users and steps (no ticket). */
export function twofoldJourney(pool: CodePool<SeededUser>) {
  return async (connection: Connection): Promise<boolean | null> => {
    const grant = pool.takeUser();
    if (!grant) return null;
    try {
      const login = await connection.send({ method: 'POST', path: '/v1/sessions', json: { login: grant.user.data.email, password: BENCH_PASSWORD } });
      if (login.status !== 202) throw new Error(`login: ${login.status} ${login.body.slice(0, 200)}`);
      const { transactionId } = JSON.parse(login.body) as { transactionId: string };
      const code = totpCode(grant.user.key, grant.step);
      const verified = await connection.send({ method: 'POST', path: '/v1/sessions/second-factor', json: { transactionId, code } });
      if (verified.status !== 201) throw new Error(`second factor: ${verified.status} ${verified.body.slice(0, 200)}`);
      const { token } = JSON.parse(verified.body) as { token: string };
      const me = await connection.send({ method: 'GET', path: '/v1/me', headers: { authorization: `Bearer ${token}` } });
      if (me.status !== 200) throw new Error(`me: ${me.status} ${me.body.slice(0, 200)}`);
      return true;
    } finally {
      pool.release(grant);
    }
  };
}

/** Password only (users without a second factor here): → 201 with a token. */
export function twofoldPasswordLogin(emails: readonly string[]) {
  let next = 0;
  return async (connection: Connection): Promise<boolean> => {
    const email = emails[next++ % emails.length]!;
    const response = await connection.send({ method: 'POST', path: '/v1/sessions', json: { login: email, password: BENCH_PASSWORD } });
    if (response.status !== 201) throw new Error(`login: ${response.status} ${response.body.slice(0, 200)}`);
    return true;
  };
}

export { currentStep };
