// Threats 1 (replay) and 2 (one transaction, two sessions), security.md, under faults: the connections to
// PostgreSQL are cut again and again while 20 closed-loop clients finish TOTP sign-ins, each retrying a 5xx
// with the same transaction and the same code. Completing the second factor must be all or nothing: every
// client either gets in (possibly on a retry) or ends on a clean 503, and the database holds no half-applied
// completion — no consumed transaction without its session and events, no spent TOTP step without a login.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { decodeBase32 } from '../../src/core/otp/base32.ts';
import { generateTOTP } from '../../src/core/otp/totp.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { TEST_KEYS } from '../helpers/server.ts';

const CLIENTS = 20;
const USERS_PER_CLIENT = 4;
const PASSWORD = 'cut me off if you can';
const TEMPORARY = ['database_unavailable', 'database_timeout', 'server_busy'];

let server: ServerProcess;
let link: FaultProxy;
beforeAll(async () => {
  link = await startFaultProxy(inject('databaseUrl')!);
  server = await startServerProcess({ DATABASE_URL: link.url, TWOFOLD_SECRET_KEYS: TEST_KEYS });
});
afterAll(async () => {
  await server?.stop();
  await link?.close();
});

async function post(path: string, body: unknown, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, any> };
}

/** A user with an active authenticator, enrolled before any fault. */
async function enrolled(prefix: string, i: number) {
  const email = `${prefix}.${i}@example.test`;
  const registered = await post('/v1/users', { email, password: PASSWORD, totp: true });
  const key = decodeBase32(registered.body.totp.secret);
  const confirmed = await post('/v1/sessions/second-factor', { transactionId: registered.body.totp.transactionId, code: generateTOTP(key, Date.now()) });
  expect(confirmed.status).toBe(201);
  return { email, key };
}

type Outcome = { email: string; result: 'signed-in' | 'temporary' | 'wrong'; detail: string; retries: number; token?: string };

/**
 * A well-behaved client: a 5xx is retried with the very same request (sooner than Retry-After says, to keep
 * the test short); it gives up after a few tries on a clean, typed 503.
 */
async function send(path: string, body: unknown) {
  let retries = 0;
  for (;;) {
    const answer = await post(path, body);
    const clean = answer.status === 503 && TEMPORARY.includes(answer.body.error?.code) && answer.retryAfter !== null;
    if (answer.status < 500 || !clean || retries === 10) return { answer, clean, retries };
    retries += 1;
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function signIn(user: { email: string; key: Uint8Array }): Promise<Outcome> {
  const started = await send('/v1/sessions', { login: user.email, password: PASSWORD });
  if (started.answer.status !== 202) {
    return { email: user.email, result: started.clean ? 'temporary' : 'wrong', detail: `password step: ${started.answer.status}`, retries: started.retries };
  }
  // The next step's code: the enrolment spent the current one.
  const code = generateTOTP(user.key, Date.now() + 30_000);
  const done = await send('/v1/sessions/second-factor', { transactionId: started.answer.body.transactionId, code });
  const retries = started.retries + done.retries;
  const detail = `${done.answer.status} ${done.answer.body.error?.code ?? ''} after ${done.retries} retries`;
  // 200: a retry of the request that had completed (its answer lost to a cut) gets the same session back.
  if (done.answer.status === 201 || done.answer.status === 200) return { email: user.email, result: 'signed-in', detail, retries, token: done.answer.body.token };
  return { email: user.email, result: done.clean ? 'temporary' : 'wrong', detail, retries };
}

describe('finishing TOTP sign-ins while the database connections are cut', () => {
  it('leaves every client signed in or cleanly refused, and no half-applied completion in the database', async () => {
    const prefix = `cut.${Date.now().toString(36)}`;
    const users = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const mine = [];
        for (let u = 0; u < USERS_PER_CLIENT; u++) mine.push(await enrolled(prefix, c * USERS_PER_CLIENT + u));
        return mine;
      }),
    );
    const db = new pg.Client({ connectionString: inject('databaseUrl')! });
    await db.connect();
    try {
      // The TOTP step each credential had spent before the run: a later one was spent by a sign-in.
      const before = new Map(
        (
          await db.query<{ email: string; step: number }>(
            `SELECT u.email, c.last_used_step AS step FROM users u JOIN totp_credentials c ON c.user_id = u.id AND c.state = 'active'
             WHERE u.email_normalized LIKE $1`,
            [`${prefix}.%`],
          )
        ).rows.map((r) => [r.email, r.step]),
      );
      expect(before.size).toBe(CLIENTS * USERS_PER_CLIENT);

      let running = true;
      let cuts = 0;
      const faults = (async () => {
        await new Promise((r) => setTimeout(r, 150));
        // A dozen cuts over about three seconds, the load running through them and on after them.
        while (running && cuts < 12) {
          link.cut();
          cuts += 1;
          await new Promise((r) => setTimeout(r, 200 + Math.random() * 150));
        }
      })();
      const outcomes = (
        await Promise.all(
          users.map(async (mine) => {
            const results: Outcome[] = [];
            for (const user of mine) results.push(await signIn(user));
            return results;
          }),
        )
      ).flat();
      running = false;
      await faults;

      const summary = outcomes.map((o) => `${o.email.split('@')[0]}: ${o.result} (${o.detail})`).join('\n');
      expect(cuts, 'the connections were cut during the run').toBeGreaterThan(2);
      expect(outcomes.reduce((n, o) => n + o.retries, 0), 'some requests met a cut and were retried').toBeGreaterThan(0);
      // Soft: when a client was told something wrong, the database check below still says what was left behind.
      expect.soft(outcomes.filter((o) => o.result === 'wrong'), summary).toEqual([]);
      expect.soft(outcomes.filter((o) => o.result === 'signed-in').length, summary).toBeGreaterThan(CLIENTS);
      // Every token handed out opens a real session.
      for (const o of outcomes.filter((o) => o.token)) {
        const me = await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${o.token}` } });
        expect(me.status, o.email).toBe(200);
      }

      // Per user (each signed in at most once after enrolling): every consumed transaction — the enrolment's
      // and the sign-in's — has exactly one session, one login_succeeded and one challenge_passed; a TOTP
      // step spent after enrolment belongs to a completed sign-in, and a completed sign-in spent one.
      const { rows } = await db.query<{ email: string; consumed: number; logins: number; sessions: number; succeeded: number; passed: number; step: number }>(
        `SELECT u.email,
           (SELECT count(*) FROM login_transactions t WHERE t.user_id = u.id AND t.consumed_at IS NOT NULL)::int AS consumed,
           (SELECT count(*) FROM login_transactions t WHERE t.user_id = u.id AND t.purpose = 'login' AND t.consumed_at IS NOT NULL)::int AS logins,
           (SELECT count(*) FROM sessions s WHERE s.user_id = u.id)::int AS sessions,
           (SELECT count(*) FROM security_events e WHERE e.user_id = u.id AND e.kind = 'login_succeeded')::int AS succeeded,
           (SELECT count(*) FROM security_events e WHERE e.user_id = u.id AND e.kind = 'challenge_passed')::int AS passed,
           (SELECT c.last_used_step FROM totp_credentials c WHERE c.user_id = u.id AND c.state = 'active') AS step
         FROM users u WHERE u.email_normalized LIKE $1 ORDER BY u.email`,
        [`${prefix}.%`],
      );
      const halfApplied = rows
        .map((r) => {
          const stepSpent = r.step > before.get(r.email)!;
          const problems = [
            r.logins > 1 && `${r.logins} sign-ins consumed`,
            r.sessions !== r.consumed && `${r.consumed} consumed transactions but ${r.sessions} sessions`,
            r.succeeded !== r.consumed && `${r.consumed} consumed transactions but ${r.succeeded} login_succeeded events`,
            r.passed !== r.consumed && `${r.consumed} consumed transactions but ${r.passed} challenge_passed events`,
            stepSpent && r.logins === 0 && 'a TOTP step spent without a completed sign-in',
            !stepSpent && r.logins === 1 && 'a sign-in completed without spending a TOTP step',
          ].filter(Boolean);
          return problems.length ? `${r.email}: ${problems.join('; ')}` : null;
        })
        .filter(Boolean);
      expect(halfApplied).toEqual([]);
      // And what the clients saw is what the database says.
      const signedIn = new Set(outcomes.filter((o) => o.result === 'signed-in').map((o) => o.email));
      expect(rows.filter((r) => r.logins === 1).map((r) => r.email)).toEqual([...signedIn].sort());
    } finally {
      await db.end();
    }
    // Eighty enrolments and sign-ins with retries: longer than the suite's default on a busy machine.
  }, 120_000);
});
