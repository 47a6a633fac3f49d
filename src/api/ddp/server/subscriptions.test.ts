import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, startHarness, type Harness } from './test-harness.ts';

let h: Harness;
let c: RawClient;
beforeAll(async () => {
  h = await startHarness();
  c = await RawClient.connected(h.wsUrl);
});
afterAll(async () => {
  await c.close();
  await h.close();
});

describe('subscriptions (there are no publications)', () => {
  it('answers `sub` with `nosub` carrying a 404 error', async () => {
    c.send({ msg: 'sub', id: 's1', name: 'meteor.loginServiceConfiguration', params: [] });
    const reply = await c.next();
    expect(reply).toEqual({
      msg: 'nosub',
      id: 's1',
      error: {
        isClientSafe: true,
        error: 404,
        reason: "Subscription 'meteor.loginServiceConfiguration' not found",
        message: "Subscription 'meteor.loginServiceConfiguration' not found [404]",
        errorType: 'Meteor.Error',
      },
    });
    expect(Object.keys(reply.error)).toEqual(['isClientSafe', 'error', 'reason', 'message', 'errorType']);
  });

  it('answers `unsub` with a bare `nosub`', async () => {
    c.send({ msg: 'unsub', id: 's1' });
    expect(await c.next()).toEqual({ msg: 'nosub', id: 's1' });
  });

  it.each([
    { msg: 'sub', id: 's2' },
    { msg: 'sub', id: 3, name: 'x' },
    { msg: 'sub', id: 's2', name: 'x', params: 'nope' },
    { msg: 'unsub' },
  ])('answers %j with "Malformed subscription"', async (message) => {
    c.send(message);
    expect(await c.next()).toEqual({ msg: 'error', reason: 'Malformed subscription', offendingMessage: message });
  });
});
