import { describe, expect, it } from 'vitest';
import { browser, challengeHarness } from '../../../test/core/challenge-harness.ts';
import { factorState, RFC_KEY, testUser, totpCredential } from '../../../test/core/fixtures.ts';
import { generateTOTP } from '../otp/totp.ts';
import { authorise } from './asker.ts';
import { issuePass, spendPass } from './pass.ts';

/**
 * A pass is the challenge module's word, inside one process, that a user was let through for one operation
 * (DDP's `callWithTwoFactorRequired` checks first, then runs the method with it). A façade cannot forge one,
 * nor use one twice, nor for another user or operation.
 */
describe('challenge passes', () => {
  it('is spent once, for its user and operation', () => {
    const pass = issuePass('u1', 'app.sendMessage');
    expect(spendPass(pass, 'u1', 'app.sendMessage')).toBe(true);
    expect(spendPass(pass, 'u1', 'app.sendMessage')).toBe(false);
  });

  it('is spent by a wrong use too: a pass shown for another user or operation is gone', () => {
    const forOther = issuePass('u1', 'app.sendMessage');
    expect(spendPass(forOther, 'u2', 'app.sendMessage')).toBe(false);
    expect(spendPass(forOther, 'u1', 'app.sendMessage')).toBe(false);
    const otherOperation = issuePass('u1', 'app.sendMessage');
    expect(spendPass(otherOperation, 'u1', 'app.deleteAccount')).toBe(false);
  });

  it('cannot be forged: a look-alike object, or anything else, is no pass', () => {
    for (const forged of [{ userId: 'u1', operation: 'app.sendMessage' }, null, undefined, 'pass', 1]) {
      expect(spendPass(forged, 'u1', 'app.sendMessage')).toBe(false);
    }
  });

  it('cannot be altered: a pass is frozen', () => {
    const pass = issuePass('u1', 'app.sendMessage');
    expect(Object.isFrozen(pass)).toBe(true);
  });
});

describe('authorise', () => {
  function setUp() {
    const harness = challengeHarness();
    const user = testUser();
    harness.store.states.set(user.id, factorState(user, { authenticator: totpCredential(harness.keyRing, user.id, { key: RFC_KEY }) }));
    return { ...harness, user };
  }

  it('lets the operation a pass was issued for go on without asking again', async () => {
    const { deps, user, audited } = setUp();
    const pass = issuePass(user.id, 'app.sendMessage');
    await authorise(deps, user, { name: 'app.sendMessage' }, { session: null, context: browser, proof: null, pass });
    expect(audited).toEqual([]);
  });

  it('asks the policy row when the pass is for something else, or spent', async () => {
    const { deps, user } = setUp();
    const pass = issuePass(user.id, 'app.sendMessage');
    await expect(authorise(deps, user, 'change-password', { session: null, context: browser, proof: null, pass })).rejects.toMatchObject({ code: 'second_factor_required' });
    await expect(authorise(deps, user, { name: 'app.sendMessage' }, { session: null, context: browser, proof: null, pass })).rejects.toMatchObject({ code: 'second_factor_required' });
  });

  it('passes a right answer, with the factor the client asked to be challenged with otherwise', async () => {
    const { deps, user, clock, store } = setUp();
    const code = generateTOTP(RFC_KEY, clock.now().getTime());
    await authorise(deps, user, 'change-password', { session: null, context: browser, proof: { kind: 'code', code } });
    expect(store.accepted).toHaveLength(1);
    await expect(authorise(deps, user, 'change-password', { session: null, context: browser, proof: null, preferredMethod: 'email' })).rejects.toMatchObject({
      code: 'second_factor_required',
      details: { method: 'totp' },
    });
  });
});
