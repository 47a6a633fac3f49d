import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { CodePool } from '../../lib/code-pool.ts';
import { cookieHeader, cookiesOf, type Connection } from '../../lib/load.ts';
import { freePort, ROOT, spawnServer, type ServerProcess } from '../../lib/process.ts';
import { totpCode } from '../../lib/totp-client.ts';
import { BENCH_PASSWORD } from '../../lib/twofold.ts';
import { wrongCodeIteration } from '../../lib/flows.ts';
import { TWO_FACTOR_COOKIE, type BetterAuthUser } from './seed.ts';

export { BetterAuthSeeder, betterAuthPool, topUpChallenges, type BetterAuthUser } from './seed.ts';

const SERVER = 'bench/peers/better-auth/server.ts';

export function newBetterAuthSecret(): string {
  return randomBytes(32).toString('base64url');
}

export async function migrateBetterAuth(databaseUrl: string, secret: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, 'migrate'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, BETTER_AUTH_SECRET: secret },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`Better Auth migration failed (${code}): ${stderr}`);
}

export async function startBetterAuth(databaseUrl: string, secret: string, env: Record<string, string> = {}): Promise<ServerProcess & { readyMs: number }> {
  const port = await freePort();
  return spawnServer({
    name: 'better-auth',
    args: ['--import', 'tsx', SERVER],
    port,
    readyPath: '/ready',
    env: { DATABASE_URL: databaseUrl, BETTER_AUTH_SECRET: secret, PORT: String(port), NODE_ENV: 'production', ...env },
  });
}

/** Browsers send Origin on these POSTs; Better Auth checks it against its base URL. */
const originOf = (connectionOrigin: string) => ({ origin: connectionOrigin });

/** The 2FA step: the pending sign-in's signed cookie and the current code → 200 and a session cookie. */
export function betterAuthSecondFactor(pool: CodePool<BetterAuthUser>, origin: string) {
  return async (connection: Connection): Promise<boolean | null> => {
    const grant = pool.take();
    if (!grant) return null;
    try {
      const response = await connection.send({
        method: 'POST',
        path: '/api/auth/two-factor/verify-totp',
        headers: { cookie: `${TWO_FACTOR_COOKIE}=${grant.ticket}`, ...originOf(origin) },
        json: { code: grant.code },
      });
      if (response.status !== 200 || !cookiesOf(response.headers)['better-auth.session_token']) {
        throw new Error(`verify-totp: ${response.status} ${response.body.slice(0, 200)}`);
      }
      return true;
    } finally {
      pool.release(grant);
    }
  };
}

/** The 2FA step with a wrong code: 401 (Better Auth's INVALID_CODE). Spends the pending sign-in's cookie. */
export const betterAuthWrongCode = (pool: CodePool<BetterAuthUser>, origin: string) =>
  wrongCodeIteration(pool, (connection, ticket, code) =>
    connection.send({ method: 'POST', path: '/api/auth/two-factor/verify-totp', headers: { cookie: `${TWO_FACTOR_COOKIE}=${ticket}`, ...originOf(origin) }, json: { code } }),
  );

/** Sign-in (→ two-factor redirect) → verify TOTP (→ session cookie) → get-session. */
export function betterAuthJourney(pool: CodePool<BetterAuthUser>, origin: string) {
  return async (connection: Connection): Promise<boolean | null> => {
    const grant = pool.takeUser();
    if (!grant) return null;
    try {
      const signIn = await connection.send({
        method: 'POST',
        path: '/api/auth/sign-in/email',
        headers: originOf(origin),
        json: { email: grant.user.data.email, password: BENCH_PASSWORD },
      });
      const pending = cookiesOf(signIn.headers)[TWO_FACTOR_COOKIE];
      if (signIn.status !== 200 || !pending || !signIn.body.includes('twoFactorRedirect')) {
        throw new Error(`sign-in: ${signIn.status} ${signIn.body.slice(0, 200)}`);
      }
      const verified = await connection.send({
        method: 'POST',
        path: '/api/auth/two-factor/verify-totp',
        headers: { cookie: `${TWO_FACTOR_COOKIE}=${pending}`, ...originOf(origin) },
        json: { code: totpCode(grant.user.key, grant.step) },
      });
      const session = cookiesOf(verified.headers)['better-auth.session_token'];
      if (verified.status !== 200 || !session) throw new Error(`verify-totp: ${verified.status} ${verified.body.slice(0, 200)}`);
      const me = await connection.send({
        method: 'GET',
        path: '/api/auth/get-session',
        headers: { cookie: cookieHeader({ 'better-auth.session_token': session }) },
      });
      if (me.status !== 200 || !me.body.includes(grant.user.data.id)) throw new Error(`get-session: ${me.status} ${me.body.slice(0, 200)}`);
      return true;
    } finally {
      pool.release(grant);
    }
  };
}
