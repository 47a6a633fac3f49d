import type pg from 'pg';
import {
  BetterAuthSeeder,
  betterAuthPool,
  migrateBetterAuth,
  newBetterAuthSecret,
  startBetterAuth,
  topUpChallenges,
  type BetterAuthUser,
} from '../peers/better-auth/index.ts';
import type { CodePool } from './code-pool.ts';
import { createDatabase, dropDatabase, openPool } from './pg.ts';
import type { ServerProcess } from './process.ts';
import { migrateTwofold, newKeySpec, poolOf, startTwofold, topUpTickets, TwofoldSeeder, type SeededUser } from './twofold.ts';

/**
 * A server under test on its own fresh database, seeded and running; `close()` stops it and drops the
 * database. Both products get the same treatment: N users with an active authenticator, K pending
 * two-factor logins each, VACUUM ANALYZE, then the server starts.
 */
export interface Setup<U> {
  server: ServerProcess;
  pool: CodePool<U>;
  db: pg.Pool;
  databaseName: string;
  databaseUrl: string;
  topUp: (needed: number) => Promise<void>;
  /** Seeds more users, each with an active authenticator and one pending login, into the pool. */
  addUsers: (count: number) => Promise<void>;
  /** One more server of the product on the same database (extra environment: the statement counter). */
  startAnother: (env: Record<string, string>) => Promise<ServerProcess>;
  close: () => Promise<void>;
}

export interface SetupOptions {
  databaseName: string;
  users: number;
  ticketsPerUser: number;
  log: (message: string) => void;
}

export async function twofoldSetup(
  options: SetupOptions & { workers?: number; keySpec?: string; env?: Record<string, string> },
): Promise<Setup<SeededUser> & { seeder: TwofoldSeeder; keySpec: string }> {
  const url = await createDatabase(options.databaseName);
  const db = openPool(url);
  try {
    await migrateTwofold(url);
    const keySpec = options.keySpec ?? newKeySpec();
    const seeder = new TwofoldSeeder(db, keySpec);
    const started = Date.now();
    const users = await seeder.users(options.users, 'u');
    const tickets = await seeder.transactions(users, options.ticketsPerUser);
    await seeder.analyze();
    options.log(`  twofold: seeded ${options.users} users, ${options.users * options.ticketsPerUser} transactions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const pool = poolOf(users, tickets);
    const server = await startTwofold({ databaseUrl: url, keySpec, workers: options.workers ?? 1, env: options.env ?? {} });
    return {
      server,
      pool,
      db,
      seeder,
      keySpec,
      databaseName: options.databaseName,
      databaseUrl: url,
      topUp: (needed) => topUpTickets(seeder, pool, needed),
      async addUsers(count) {
        const more = await seeder.users(count, `g${Date.now().toString(36)}_`);
        const tickets = await seeder.transactions(more, 1);
        more.forEach((user, i) => pool.add(user.key, user, tickets[i]));
      },
      startAnother: (env) => startTwofold({ databaseUrl: url, keySpec, workers: options.workers ?? 1, env: { ...options.env, ...env } }),
      async close() {
        await server.stop();
        await db.end();
        await dropDatabase(options.databaseName);
      },
    };
  } catch (error) {
    await db.end().catch(() => undefined);
    await dropDatabase(options.databaseName).catch(() => undefined);
    throw error;
  }
}

export async function betterAuthSetup(options: SetupOptions): Promise<Setup<BetterAuthUser> & { seeder: BetterAuthSeeder }> {
  const url = await createDatabase(options.databaseName);
  const db = openPool(url);
  try {
    const secret = newBetterAuthSecret();
    await migrateBetterAuth(url, secret);
    const seeder = new BetterAuthSeeder(db, secret);
    const started = Date.now();
    const users = await seeder.users(options.users, 'u');
    const cookies = await seeder.challenges(users, options.ticketsPerUser);
    await seeder.analyze();
    options.log(`  Better Auth: seeded ${options.users} users, ${options.users * options.ticketsPerUser} pending sign-ins in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const pool = betterAuthPool(users, cookies);
    const server = await startBetterAuth(url, secret);
    return {
      server,
      pool,
      db,
      seeder,
      databaseName: options.databaseName,
      databaseUrl: url,
      topUp: (needed) => topUpChallenges(seeder, pool, needed),
      async addUsers(count) {
        const more = await seeder.users(count, `g${Date.now().toString(36)}_`);
        const cookies = await seeder.challenges(more, 1);
        more.forEach((user, i) => pool.add(user.key, user, cookies[i]));
      },
      startAnother: (env) => startBetterAuth(url, secret, env),
      async close() {
        await server.stop();
        await db.end();
        await dropDatabase(options.databaseName);
      },
    };
  } catch (error) {
    await db.end().catch(() => undefined);
    await dropDatabase(options.databaseName).catch(() => undefined);
    throw error;
  }
}

/** Both products set up side by side (seeding is not measured, so it may overlap); neither leaks if the other fails. */
export async function bothSetups(twofoldOptions: Parameters<typeof twofoldSetup>[0], betterAuthOptions: SetupOptions) {
  const [twofold, betterAuth] = await Promise.allSettled([twofoldSetup(twofoldOptions), betterAuthSetup(betterAuthOptions)]);
  if (twofold.status === 'fulfilled' && betterAuth.status === 'fulfilled') return { twofold: twofold.value, betterAuth: betterAuth.value };
  if (twofold.status === 'fulfilled') await twofold.value.close();
  if (betterAuth.status === 'fulfilled') await betterAuth.value.close();
  throw twofold.status === 'rejected' ? twofold.reason : (betterAuth as PromiseRejectedResult).reason;
}
