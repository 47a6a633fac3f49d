// Library use: an app embeds twofold (`import { createServer } from 'twofold'`) and protects its own DDP
// method with the same second-factor guard Rocket.Chat clients already know how to answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrolledUser } from '../helpers/accounts.ts';
import { connectSimpleDdp, ddpError, type SimpleDdpClient } from '../helpers/ddp-clients.ts';
import { authenticatorCode } from '../helpers/totp.ts';

let t: TestServer;
let ddp: SimpleDdpClient;
const swallow = () => undefined;
const transfers: unknown[] = [];

beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  t = await startTestServer();
  t.server.ddp.protectedMethod('bank:transfer', { name: 'bank-transfer', weakensAccount: false }, (invocation, pass, amount) => {
    transfers.push({ user: invocation.connection.userId, amount, operation: pass.operation });
    return { ok: true, amount };
  });
  t.server.ddp.method('bank:balance', (invocation) => (invocation.connection.userId ? 42 : null));
  ddp = await connectSimpleDdp(t.wsUrl);
});
afterAll(async () => {
  await ddp.disconnect();
  await t.close();
  process.off('unhandledRejection', swallow);
});

describe('an app-defined protected method', () => {
  it('challenges, then runs with a code given in any of Rocket.Chat’s ways', async () => {
    const { email, password, secret } = await enrolledUser(t, 'bank');
    t.clock.advance(30_000);
    await ddp.login({ totp: { login: { user: { email }, password }, code: authenticatorCode(secret, t.clock) } });

    // Signing in with the code started the remember-for grace for this connection's session: use a fresh
    // operation that weakens the account to see the challenge itself.
    t.server.ddp.protectedMethod('bank:close-account', { name: 'bank:close-account', weakensAccount: true, passwordFallback: true }, () => 'closed');
    expect(await ddpError(ddp.call('bank:close-account'))).toMatchObject({ error: 'totp-required', details: { method: 'totp' } });
    t.clock.advance(30_000);
    expect(await ddp.call('bank:close-account', { twoFactorCode: authenticatorCode(secret, t.clock) })).toBe('closed');
    t.clock.advance(30_000);
    expect(
      await ddp.call('callWithTwoFactorRequired', { code: authenticatorCode(secret, t.clock), ddpMethod: 'bank:close-account', method: 'totp', params: [] }),
    ).toBe('closed');

    // Within the grace, from the same connection, an ordinary protected method runs without a code.
    expect(await ddp.call('bank:transfer', 100)).toEqual({ ok: true, amount: 100 });
    expect(transfers).toHaveLength(1);
    expect(await ddp.call('bank:balance')).toBe(42);
    t.clock.reset();
  });

  it('refuses a duplicate method name', () => {
    expect(() => t.server.ddp.method('login', () => null)).toThrow(/already defined/);
  });
});
