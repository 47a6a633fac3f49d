// A whole core over the memory stores, with no database: the path every model-based run and mutation test takes.
// Register, sign in, enrol an authenticator, sign out, sign in again and get asked for it, answer it.
import { describe, expect, it } from 'vitest';
import { generateTOTP } from '../../src/core/otp/totp.ts';
import { decodeBase32 } from '../../src/core/otp/base32.ts';
import { memoryCore } from '../helpers/memory-core.ts';

const context = { client: 'rest' as const, ip: '192.0.2.1', userAgent: 'smoke' };

describe('a core over memory stores', () => {
  it('registers a user, enrols TOTP and signs in with the second factor', async () => {
    const { core, clock, tables } = memoryCore();
    const { user } = await core.auth.register({ email: 'ada@example.test', password: 'correct horse battery' });
    const first = await core.auth.signIn({ identity: 'ada@example.test', password: 'correct horse battery' }, context);
    if (first.kind !== 'session') throw new Error('a user without a factor gets a session');
    const asker = { session: first.issued.session, context, proof: { kind: 'recent' as const, sessionId: first.issued.session.id } };
    const enrolment = await core.factors.totp.enrol(user.id, asker);
    const code = () => generateTOTP(decodeBase32(enrolment.secret), clock.now().getTime());
    const { backupCodes } = await core.factors.totp.confirm(user.id, { kind: 'code', code: code() }, asker);
    expect(backupCodes).toHaveLength(12);
    await core.auth.signOut(first.issued.token);
    await expect(core.auth.authenticate(first.issued.token)).rejects.toMatchObject({ code: 'not_authenticated' });

    const second = await core.auth.signIn({ identity: 'ada@example.test', password: 'correct horse battery' }, context);
    if (second.kind !== 'second_factor') throw new Error('a user with a factor is asked for it');
    // The step confirmed at enrolment is spent: the same code again is a replay.
    await expect(core.auth.completeSecondFactor({ transactionId: second.transactionId, proof: { kind: 'code', code: code() }, rememberDevice: false }, context)).rejects.toMatchObject({ code: 'code_invalid' });
    clock.advance(30_000);
    const signedIn = await core.auth.completeSecondFactor({ transactionId: second.transactionId, proof: { kind: 'code', code: code() }, rememberDevice: false }, context);
    expect((await core.auth.authenticate(signedIn.issued.token)).session.secondFactorAt).not.toBeNull();
    expect(tables.events.map((e) => e.kind)).toContain('totp_replay_rejected');
    expect((await core.admin.audit.verify()).breaks).toEqual([]);
  });
});
