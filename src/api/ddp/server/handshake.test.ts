import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiate } from './handshake.ts';
import { RawClient, startHarness, type Harness } from './test-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('version negotiation (pure)', () => {
  it('accepts a version the client also lists first among ours', () => {
    expect(negotiate({ version: '1', support: ['1', 'pre2', 'pre1'] })).toEqual({ ok: true });
    expect(negotiate({ version: 'pre2', support: ['pre2', 'pre1'] })).toEqual({ ok: true });
  });

  it('proposes the first version of the client list that we speak', () => {
    expect(negotiate({ version: 'pre1', support: ['pre1', 'pre2'] })).toEqual({ ok: true });
    expect(negotiate({ version: '2', support: ['2', 'pre2', '1'] })).toEqual({ ok: false, version: 'pre2' });
    expect(negotiate({ version: '9', support: ['9'] })).toEqual({ ok: false, version: '1' });
  });

  it('answers a malformed connect with our preferred version', () => {
    expect(negotiate({})).toEqual({ ok: false, version: '1' });
    expect(negotiate({ version: 1, support: ['1'] })).toEqual({ ok: false, version: '1' });
    expect(negotiate({ version: '1', support: '1' })).toEqual({ ok: false, version: '1' });
    expect(negotiate({ version: '1', support: ['1', 2] })).toEqual({ ok: false, version: '1' });
    expect(negotiate({ version: 'pre1', support: ['1'] })).toEqual({ ok: false, version: '1' });
  });
});

describe('connect', () => {
  it('answers `connected` with a fresh random session id, ignoring a resume `session`', async () => {
    const a = await RawClient.open(h.wsUrl);
    const b = await RawClient.open(h.wsUrl);
    a.send({ msg: 'connect', version: '1', support: ['1', 'pre2', 'pre1'], session: 'old-session' });
    b.send({ msg: 'connect', version: '1', support: ['1'] });
    const [ra, rb] = [await a.next(), await b.next()];
    expect(Object.keys(ra)).toEqual(['msg', 'session']);
    expect(ra.msg).toBe('connected');
    expect(ra.session).toMatch(/^[\w-]{16,}$/);
    expect(ra.session).not.toBe('old-session');
    expect(rb.session).not.toBe(ra.session);
    await Promise.all([a.close(), b.close()]);
  });

  it('accepts an older version the client asks for', async () => {
    const c = await RawClient.open(h.wsUrl);
    c.send({ msg: 'connect', version: 'pre1', support: ['pre1'] });
    expect((await c.next()).msg).toBe('connected');
    await c.close();
  });

  it('answers an unsupported version with `failed` naming our version, then closes', async () => {
    const c = await RawClient.open(h.wsUrl);
    c.send({ msg: 'connect', version: '2', support: ['2'] });
    expect(await c.next()).toEqual({ msg: 'failed', version: '1' });
    await c.closed;
  });

  it('answers a malformed connect with `failed` and closes', async () => {
    const c = await RawClient.open(h.wsUrl);
    c.send({ msg: 'connect', version: '1' });
    expect(await c.next()).toEqual({ msg: 'failed', version: '1' });
    await c.closed;
  });

  it('refuses a second connect with "Already connected"', async () => {
    const c = await RawClient.connected(h.wsUrl);
    const again = { msg: 'connect', version: '1', support: ['1'] };
    c.send(again);
    expect(await c.next()).toEqual({ msg: 'error', reason: 'Already connected', offendingMessage: again });
    await c.close();
  });

  it('answers anything before connect with "Must connect first"', async () => {
    const c = await RawClient.open(h.wsUrl);
    for (const message of [{ msg: 'method', id: '1', method: 'echo' }, { msg: 'ping' }, { msg: 'sub', id: 's', name: 'x' }]) {
      c.send(message);
      expect(await c.next()).toEqual({ msg: 'error', reason: 'Must connect first', offendingMessage: message });
    }
    await c.close();
  });
});
