// Threats 1 (replay) and 2 (one transaction, two sessions), security.md, under faults: the connections to
// PostgreSQL are cut again and again while 20 closed-loop clients finish TOTP sign-ins, each retrying a 5xx
// with the same transaction and the same code. Completing the second factor must be all or nothing: every
// client either gets in (possibly on a retry) or ends on a clean 503, and the database holds no half-applied
// completion — no consumed transaction without its session and events, no spent TOTP step without a login.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { auditCompletions, spentSteps } from '../helpers/half-applied.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { retryingClient, type Outcome } from '../helpers/retrying-client.ts';
import { TEST_KEYS } from '../helpers/server.ts';

const CLIENTS = 20;
const USERS_PER_CLIENT = 4;

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

describe('finishing TOTP sign-ins while the database connections are cut', () => {
  it('leaves every client signed in or cleanly refused, and no half-applied completion in the database', async () => {
    const prefix = `cut.${Date.now().toString(36)}`;
    const client = retryingClient(server.url);
    const users = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const mine = [];
        for (let u = 0; u < USERS_PER_CLIENT; u++) mine.push(await client.enrolled(prefix, c * USERS_PER_CLIENT + u));
        return mine;
      }),
    );
    const db = new pg.Client({ connectionString: inject('databaseUrl')! });
    await db.connect();
    try {
      const before = await spentSteps(db, prefix);
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
            for (const user of mine) results.push(await client.signIn(user));
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

      // Every consumed transaction has its session and events; every spent TOTP step its sign-in.
      const audit = await auditCompletions(db, prefix, before);
      expect(audit.halfApplied).toEqual([]);
      expect(audit.replayAlarms, 'a retry of the same code is never taken for a replay').toBe(0);
      // And what the clients saw is what the database says.
      const signedIn = new Set(outcomes.filter((o) => o.result === 'signed-in').map((o) => o.email));
      expect(audit.signedIn).toEqual([...signedIn].sort());
    } finally {
      await db.end();
    }
    // Eighty enrolments and sign-ins with retries: longer than the suite's default on a busy machine.
  }, 120_000);
});
