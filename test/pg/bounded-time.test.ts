// Bounded time everywhere: a locked, slow or overloaded database costs a caller a typed 503 within a known
// time (the statement timeout, the wait for a pooled connection, the request deadline), never a hang; the
// readiness probe answers within a second whatever the database does.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { createPgDb } from '../../src/store/pg-driver.ts';
import { withDeadline } from '../../src/store/deadline.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { TEST_KEYS } from '../helpers/server.ts';
import { connectSimpleDdp, ddpError, sha256 } from '../helpers/ddp-clients.ts';

const url = () => inject('databaseUrl')!;
const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

/** How long `work` takes to settle, and what it settled with. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value?: T; error?: any }> {
  const started = performance.now();
  try {
    const value = await work();
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

/** A password sign-in, timed: its status, Retry-After and error code. */
const timedSignIn = (server: ServerProcess, email: string, password: string) =>
  timed(async () => {
    const res = await fetch(`${server.url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: email, password }),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), code: ((await res.json()) as { error?: { code: string } }).error?.code };
  });

describe('the PostgreSQL driver', () => {
  const table = `bounded_${process.pid}_${Date.now().toString(36)}`;
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url() });
    await admin.connect();
    await admin.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
    cleanup.push(async () => {
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.end();
    });
  });

  it('ends a statement at the statement timeout with database_timeout, in and out of transactions', async () => {
    const db = createPgDb({ connectionString: url(), poolSize: 2, statementTimeoutMs: 200 });
    try {
      const alone = await timed(() => db.query('SELECT pg_sleep(2)'));
      expect(alone.error).toMatchObject({ code: 'database_timeout', status: 503 });
      expect(alone.ms).toBeLessThan(1000);
      // In a transaction the limit is also set with SET LOCAL: the one form a transaction pooler carries.
      const inside = await db.transaction((tx) => tx.query<{ statement_timeout: string }>('SHOW statement_timeout'));
      expect(inside[0]!.statement_timeout).toBe('200ms');
      const locked = await timed(() => db.transaction((tx) => tx.query('SELECT pg_sleep(2)')));
      expect(locked.error).toMatchObject({ code: 'database_timeout' });
    } finally {
      await db.close();
    }
  });

  it('gives up a lock wait at the statement timeout', async () => {
    const db = createPgDb({ connectionString: url(), poolSize: 2, statementTimeoutMs: 300 });
    await admin.query('BEGIN');
    try {
      await admin.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      const waited = await timed(() => db.query(`SELECT count(*) FROM ${table}`));
      expect(waited.error).toMatchObject({ code: 'database_timeout' });
      expect(waited.ms).toBeLessThan(1500);
    } finally {
      await admin.query('ROLLBACK');
      await db.close();
    }
  });

  it('answers server_busy when no pooled connection comes free in time', async () => {
    const db = createPgDb({ connectionString: url(), poolSize: 1, poolWaitMs: 200 });
    let release!: () => void;
    const held = db.transaction(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      await new Promise((r) => setTimeout(r, 50));
      const waited = await timed(() => db.query('SELECT 1'));
      expect(waited.error).toMatchObject({ code: 'server_busy', status: 503 });
      expect(waited.ms).toBeLessThan(1000);
    } finally {
      release();
      await held;
      await db.close();
    }
  });

  it('gives up at the deadline: the caller gets database_timeout at once, the work is rolled back, the pool serves on', async () => {
    const db = createPgDb({ connectionString: url(), poolSize: 1, statementTimeoutMs: 10_000 });
    try {
      const late = await timed(() =>
        withDeadline(300, () =>
          db.transaction(async (tx) => {
            await tx.query(`INSERT INTO ${table} (id) VALUES (1)`);
            await tx.query('SELECT pg_sleep(3)');
          }),
        ),
      );
      expect(late.error).toMatchObject({ code: 'database_timeout' });
      expect(late.ms).toBeLessThan(1000);
      // The connection still busy with pg_sleep was closed, not handed to the next caller.
      const next = await timed(() => db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`));
      expect(next.value).toEqual([{ n: 0 }]);
      expect(next.ms).toBeLessThan(1000);
    } finally {
      await db.close();
    }
  });
});

describe('a server on a locked database', () => {
  let server: ServerProcess;
  const email = `locked.${Date.now()}@example.test`;
  const password = 'locked out for a while';
  beforeAll(async () => {
    server = await startServerProcess({
      DATABASE_URL: url(),
      TWOFOLD_SECRET_KEYS: TEST_KEYS,
      DB_POOL_SIZE: '2',
      DB_STATEMENT_TIMEOUT_MS: '1000',
      DB_POOL_WAIT_MS: '500',
      REQUEST_TIMEOUT_MS: '3000',
    });
    cleanup.push(() => server.stop());
    const registered = await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    expect(registered.status).toBe(201);
  });

  it('answers every caller within its bounds while a table lock lasts: database_timeout or server_busy, with Retry-After', async () => {
    const locker = new pg.Client({ connectionString: url() });
    await locker.connect();
    await locker.query('BEGIN');
    try {
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const signIn = () => timedSignIn(server, email, password);
      const ready = timed(() => fetch(`${server.url}/readyz`).then((res) => res.status));
      const ddp = await connectSimpleDdp(`${server.url.replace('http', 'ws')}/websocket`);
      cleanup.push(() => ddp.disconnect());
      const viaDdp = timed(() => ddpError(ddp.call('login', { user: { email }, password: { digest: sha256(password), algorithm: 'sha-256' } })));
      const answers = await Promise.all(Array.from({ length: 6 }, signIn));

      // Two hold the pool's connections and wait on the lock until the statement timeout (1 s); the rest
      // wait for a connection for 0.5 s. Nobody waits for the lock's end.
      const codes = answers.map((a) => a.value!.code);
      expect(answers.every((a) => a.value!.status === 503 && a.value!.retryAfter !== null), codes.join()).toBe(true);
      expect(codes).toContain('database_timeout');
      expect(codes).toContain('server_busy');
      expect(codes.every((c) => c === 'database_timeout' || c === 'server_busy')).toBe(true);
      expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(2500);
      // The probe's own second: ready (SELECT 1 needs no table), or a typed 503 when no connection is free.
      expect((await ready).ms).toBeLessThan(1500);
      expect([200, 503]).toContain((await ready).value);
      const ddpAnswer = await viaDdp;
      expect(ddpAnswer.value).toMatchObject({ error: 503 });
      expect(ddpAnswer.ms).toBeLessThan(4000);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    // The lock gone, the same sign-in works at once.
    const after = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: email, password }) });
    expect(after.status).toBe(201);
  });
});

describe('a server on a slow database', () => {
  let server: ServerProcess;
  let link: FaultProxy;
  const email = `slow.${Date.now()}@example.test`;
  const password = 'slow and steady';
  beforeAll(async () => {
    link = await startFaultProxy(url());
    cleanup.push(() => link.close());
    server = await startServerProcess({ DATABASE_URL: link.url, TWOFOLD_SECRET_KEYS: TEST_KEYS, DB_POOL_SIZE: '4', REQUEST_TIMEOUT_MS: '2000' });
    cleanup.push(() => server.stop());
    const registered = await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    expect(registered.status).toBe(201);
  });

  it('answers within the request deadline, however slow each round trip is', async () => {
    // 0.8 s a round trip: no statement is slow in PostgreSQL (statement_timeout never fires), but a
    // sign-in's few statements together outlast the 2 s deadline.
    link.delay(400);
    const signIn = () => timedSignIn(server, email, password);
    const ready = timed(() => fetch(`${server.url}/readyz`).then((res) => res.status));
    const answers = await Promise.all(Array.from({ length: 4 }, signIn));
    const summary = answers.map((a) => `${a.value?.status} ${a.value?.code ?? ''} ${Math.round(a.ms)}ms`).join(', ');
    expect(answers.every((a) => a.value!.status === 201 || (a.value!.status === 503 && a.value!.retryAfter !== null)), summary).toBe(true);
    expect(answers.map((a) => a.value!.code), summary).toContain('database_timeout');
    // The deadline, plus argon2 and the answer's way back.
    expect(Math.max(...answers.map((a) => a.ms)), summary).toBeLessThan(3000);
    expect((await ready).ms).toBeLessThan(1500);

    link.delay(0);
    let status = 0;
    for (let i = 0; i < 30 && status !== 201; i++) status = (await signIn()).value!.status;
    expect(status).toBe(201);
  });
});
