// Threat 4 (brute force across transactions), RFC 4226 7.3 throttling and NIST SP 800-63B 5.2.2 / OWASP
// ASVS 2.2.1: an attacker who knows the password and keeps starting new logins to get fresh transactions
// must not get fresh guesses. The account throttle counts every failed second-factor check, whatever the
// transaction, path or factor: 10 failures lock checks for 15 minutes, each further lockout doubles, and
// 100 failures in a row lock the account until an operator unlocks it.
//
// Policy figure: within any 24 hours at most 70 guesses get checked (locks of 15+30+60+120+240+480 min =
// 15.75 h after 60 guesses, then 960 min after 70). With ±1 step each guess covers 3 of 10^6 codes, so the
// chance of success in a day is at most 70 × 3 / 10^6 ≈ 2.1 × 10^-4; 100 guesses ever: ≤ 3 × 10^-4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser, verify } from '../helpers/accounts.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('an attacker with the password, guessing codes for a simulated day', () => {
  it('gets at most 70 checked guesses in 24 hours, and is locked out for good at 100', async () => {
    const { email, password, secret } = await enrolledUser(t, 'brute');
    // One try: a fresh login, then the guess. While the account is locked the login itself says so.
    const guess = async (code: string) => {
      const login = await t.request('POST', '/v1/sessions', { body: { login: email, password } });
      return login.status === 202 ? verify(t, login.body.transactionId, code) : login;
    };
    const start = t.clock.now().getTime();
    let checked = 0;
    let lockedResponses = 0;
    let lastRetryAt: string | null = null;
    try {
      while (t.clock.now().getTime() - start < 24 * 3600_000) {
        const res = await guess('000000');
        if (res.body.error.code === 'code_invalid') {
          checked += 1;
          continue;
        }
        expect(res.body.error.code).toBe('account_locked');
        lockedResponses += 1;
        lastRetryAt = res.body.error.details.retryAt;
        // The attacker waits out each lock (time travel) and comes back at once.
        t.clock.advance(new Date(lastRetryAt!).getTime() - t.clock.now().getTime() + 1);
      }
      expect(checked).toBe(70);
      expect(lockedResponses).toBe(7);

      // Keep going past the day: at 100 consecutive failures the lock has no end.
      while (checked < 100) {
        const res = await guess('000000');
        if (res.body.error.code === 'code_invalid') checked += 1;
        else t.clock.advance(new Date(res.body.error.details.retryAt).getTime() - t.clock.now().getTime() + 1);
      }
      t.clock.advance(365 * 24 * 3600_000);
      const forever = await guess(authenticatorCode(secret, t.clock));
      expect(forever.body.error).toMatchObject({ code: 'account_locked', details: { retryAt: null } });
    } finally {
      t.clock.reset();
    }
  });
});
