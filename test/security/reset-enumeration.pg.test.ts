// Threat 9 (account enumeration), OWASP ASVS 2.2 / WSTG-IDNT-04, for "forgot my password": asking for a reset
// link for a registered address and for an unknown one gives the same answer in comparable time. The link is
// made, stored and mailed after the answer is written, so its cost is not in the answer's time.
//
// On PostgreSQL only: the embedded database (PGlite) runs its queries in the server's own thread, which in this
// test is also the client's, so the work done after an answer would be timed by the client as it reads that
// answer. Over a network the answer has left by then; against PostgreSQL the test sees what a client would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/db.ts';
import { median } from '../helpers/measure.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('asking for a password reset link', () => {
  it('answers alike for a registered and an unknown address, in comparable time (medians within 25 % over 150 tries each)', async () => {
    const email = uniqueEmail('enum-reset');
    await t.request('POST', '/v1/users', { body: { email, password: 'the real password' } });
    const timings = { known: [] as number[], unknown: [] as number[] };
    const bodies = new Set<string>();
    const ask = async (address: string) => {
      const started = process.hrtime.bigint();
      const res = await t.request('POST', '/v1/password-resets', { body: { email: address } });
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      bodies.add(`${res.status} ${JSON.stringify(res.body)}`);
      return elapsed;
    };
    for (let i = 0; i < 10; i++) await ask(email);
    for (let i = 0; i < 150; i++) {
      timings.known.push(await ask(email));
      timings.unknown.push(await ask(uniqueEmail('ghost')));
    }
    expect(bodies.size).toBe(1);
    const ratio = median(timings.unknown) / median(timings.known);
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.25);
  });
});
