// Every row of the policy table (src/core/challenge/policy.ts), held by the whole core over memory stores: what a
// session that answered its factor just now, one that answered it past the step-up window, one from a remembered
// device, and a user with no factor at all may do without a new answer — and that a right answer is always enough.
// In milliseconds: no database, a clock that moves only when told.
import { describe, expect, it } from 'vitest';
import { policyTable, type OperationName } from '../../src/core/challenge/policy.ts';
import { defaultCorePolicy } from '../../src/core/index.ts';
import { passwordDigest } from '../../src/core/password.ts';
import type { Session } from '../../src/core/sessions/session.ts';
import { memoryCore, memoryUserWithAuthenticator } from '../helpers/memory-core.ts';

const context = { client: 'rest' as const, ip: '192.0.2.1', userAgent: 'policy rows' };
const PASSWORD = 'correct horse battery';
const table = policyTable({ backendlessChangeProof: defaultCorePolicy.backendlessChangeProof });
const OPERATIONS = Object.keys(table) as OperationName[];
const WINDOW_MS = defaultCorePolicy.stepUpWindowSeconds * 1000;

/** A user with an authenticator, a session that answered it just now, and one from a device remembered then. */
async function userWithAuthenticator() {
  const { core, clock, email, user, code } = await memoryUserWithAuthenticator('rows', PASSWORD);
  clock.advance(30_000);
  const pending = await core.auth.signIn({ identity: email, password: PASSWORD }, context);
  if (pending.kind !== 'second_factor') throw new Error('a user with a factor is asked for it');
  const signedIn = await core.auth.completeSecondFactor({ transactionId: pending.transactionId, proof: { kind: 'code', code: code() }, rememberDevice: true }, context);
  const remembered = await core.auth.signIn({ identity: email, password: PASSWORD }, context, { deviceToken: signedIn.device!.token });
  if (remembered.kind !== 'session') throw new Error('a remembered device skips the sign-in step');
  return { core, clock, userId: user.id, session: signedIn.issued.session, remembered: remembered.issued.session, code };
}

async function userWithoutFactor() {
  const { core, clock } = memoryCore();
  const email = `rows.${Math.random().toString(36).slice(2)}@example.test`;
  const { user } = await core.auth.register({ email, password: PASSWORD });
  const signedIn = await core.auth.signIn({ identity: email, password: PASSWORD }, context);
  if (signedIn.kind !== 'session') throw new Error('a user without a factor gets a session');
  return { core, clock, userId: user.id, session: signedIn.issued.session };
}

type Core = Awaited<ReturnType<typeof userWithAuthenticator>>['core'];
const allowed = (core: Core, userId: string, session: Session, operation: OperationName, proof: Parameters<Core['challenge']['require']>[0]['proof'] = null) =>
  core.challenge.require({ userId, session, context, proof, operation }).then(
    () => 'allowed',
    (error: { code?: string }) => error.code ?? String(error),
  );

describe.each(OPERATIONS)('the policy row for %s', (operation) => {
  const row = table[operation];

  it(`with a factor (${row.withFactor}): just after answering it, past the window, from a remembered device; a right code always`, async () => {
    const { core, clock, userId, session, remembered, code } = await userWithAuthenticator();
    expect(await allowed(core, userId, session, operation)).toBe('allowed');
    // A remembered device skipped the factor: it has proved nothing, for any row (Backendless' variant included).
    expect(await allowed(core, userId, remembered, operation)).toBe('second_factor_required');
    clock.advance(WINDOW_MS + 1000);
    // Past the step-up window only the seed's variant still counts the sign-in's factor.
    expect(await allowed(core, userId, session, operation)).toBe(row.withFactor === 'signed-in-with-factor' ? 'allowed' : 'second_factor_required');
    expect(await allowed(core, userId, session, operation, { kind: 'totp', code: code() })).toBe('allowed');
  });

  it(`without a factor (${row.withoutFactor}): the password of a fresh sign-in counts within the window only`, async () => {
    const { core, clock, userId, session } = await userWithoutFactor();
    const fresh = await allowed(core, userId, session, operation);
    clock.advance(WINDOW_MS + 1000);
    const stale = await allowed(core, userId, session, operation);
    if (row.withoutFactor === 'nothing') {
      expect([fresh, stale]).toEqual(['allowed', 'allowed']);
    } else {
      expect([fresh, stale]).toEqual(['allowed', 'second_factor_required']);
      expect(await allowed(core, userId, session, operation, { kind: 'password', digest: passwordDigest(PASSWORD) })).toBe('allowed');
    }
  });
});
