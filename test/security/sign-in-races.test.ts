// Security tests of completing a sign-in against a whole core over the memory stores (no database): what a
// parallel request or an operator changes between the password step and the answer. The same rules hold on
// PostgreSQL (the other tests here); over memory they need no database.
import { describe, expect, it } from 'vitest';
import type { Proof } from '../../src/core/challenge/proof.ts';
import { isTwofoldError } from '../../src/core/errors.ts';
import { memoryUserWithAuthenticator } from '../helpers/memory-core.ts';

const context = { client: 'rest' as const, ip: '192.0.2.1', userAgent: 'races' };
const PASSWORD = 'correct horse battery';

/** A user with an authenticator and its backup codes, signed out. */
async function enrolledUser() {
  const memory = await memoryUserWithAuthenticator('races', PASSWORD);
  const { core, clock, email } = memory;
  await core.auth.signOut(memory.first.token);
  clock.advance(30_000);
  const pending = async () => {
    const result = await core.auth.signIn({ identity: email, password: PASSWORD }, context);
    if (result.kind !== 'second_factor') throw new Error('a user with a factor is asked for it');
    return result.transactionId;
  };
  const complete = (transactionId: string, proof: Proof) => core.auth.completeSecondFactor({ transactionId, proof, rememberDevice: false }, context);
  return { ...memory, pending, complete };
}

/** Settles every promise and counts outcomes by error code ('ok' for a session). */
async function outcomes(promises: Promise<unknown>[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const result of await Promise.allSettled(promises)) {
    const key = result.status === 'fulfilled' ? 'ok' : isTwofoldError(result.reason) ? result.reason.code : String(result.reason);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('completing a sign-in while something changes', () => {
  it('a user disabled between the password step and the answer gets no session', async () => {
    const { pending, complete, tables, user, code, clock } = await enrolledUser();
    const transactionId = await pending();
    tables.users.get(user.id)!.disabledAt = clock.now();
    await expect(complete(transactionId, { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'user_disabled' });
    expect([...tables.sessions.values()].filter((s) => s.userId === user.id && s.revokedAt === null)).toEqual([]);
  });

  it('a backup code cannot be spent twice by a parallel burst', async () => {
    const { pending, complete, backupCodes } = await enrolledUser();
    const transactions = await Promise.all(Array.from({ length: 6 }, pending));
    const counts = await outcomes(transactions.map((id) => complete(id, { kind: 'code', code: backupCodes[0]!.replace('-', '') })));
    expect(counts).toEqual({ ok: 1, code_invalid: 5 });
  });

  it('a parallel burst of guesses gets no more than the cap of attempts on one transaction', async () => {
    const { pending, complete, policy } = await enrolledUser();
    const transactionId = await pending();
    const guesses = Array.from({ length: policy.transactionMaxAttempts + 4 }, (_, i) => complete(transactionId, { kind: 'code', code: String(100000 + i) }));
    const counts = await outcomes(guesses);
    expect(counts.code_invalid).toBe(policy.transactionMaxAttempts);
    expect(counts.transaction_locked).toBe(4);
  });

  it('a pending sign-in whose factor was removed meanwhile cannot be completed with it', async () => {
    const { pending, complete, stores, user, code } = await enrolledUser();
    const transactionId = await pending();
    // Another instance turned the authenticator off (its backup codes go with it).
    await stores.totp.removeAll(user.id);
    await expect(complete(transactionId, { kind: 'code', code: code() })).rejects.toMatchObject({ code: 'transaction_not_found' });
  });
});
