import { betterAuth } from 'better-auth';
import { twoFactor } from 'better-auth/plugins/two-factor';
import pg from 'pg';

/**
 * The peer: Better Auth with its two-factor plugin, email + password sign-in, on its own PostgreSQL
 * database through a `pg` Pool of 10 connections (twofold's DB_POOL_SIZE default). Its own rate limiter
 * is off, as twofold runs with RATE_LIMITS=false: both are measured without request throttling.
 */
export function createAuth(options: { databaseUrl: string; secret: string; baseURL: string }) {
  const database = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
  const auth = betterAuth({
    appName: 'bench',
    baseURL: options.baseURL,
    secret: options.secret,
    database,
    emailAndPassword: { enabled: true },
    plugins: [twoFactor({ issuer: 'bench' })],
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: { level: 'error' },
  });
  return { auth, database };
}

export type Auth = ReturnType<typeof createAuth>['auth'];
