import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeteorError } from '../types.ts';
import { RawClient, startHarness, type Harness } from './test-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const errorKeys = ['isClientSafe', 'error', 'reason', 'message', 'errorType'];

describe('method results', () => {
  it('sends `result` then `updated`, with EJSON-decoded params and no `error` key', async () => {
    const c = await RawClient.connected(h.wsUrl);
    c.send({ msg: 'method', id: 'e1', method: 'echo', params: ['a', 1, { $date: 0 }, null] });
    const result = await c.next();
    expect(result).toEqual({ msg: 'result', id: 'e1', result: ['a', 1, { $date: 0 }, null] });
    expect(Object.keys(result)).toEqual(['msg', 'id', 'result']);
    expect(await c.next()).toEqual({ msg: 'updated', methods: ['e1'] });
    expect((await c.call('t', 'paramType', [{ $date: 1700000000000 }])).result).toBe('Date');
    await c.close();
  });

  it('treats missing params as none', async () => {
    const c = await RawClient.connected(h.wsUrl);
    expect(await c.call('e2', 'echo')).toEqual({ msg: 'result', id: 'e2', result: [] });
    await c.close();
  });

  it('omits `result` when the method returns undefined', async () => {
    const c = await RawClient.connected(h.wsUrl);
    const result = await c.call('n', 'nothing');
    expect(result).toEqual({ msg: 'result', id: 'n' });
    expect(Object.keys(result)).toEqual(['msg', 'id']);
    await c.close();
  });

  it('EJSON-encodes Dates as {$date: ms}', async () => {
    const c = await RawClient.connected(h.wsUrl);
    expect((await c.call('d', 'date')).result).toEqual({ at: { $date: Date.UTC(2024, 0, 2, 3, 4, 5) } });
    await c.close();
  });

  it('hands the handler its connection, name and randomSeed', async () => {
    const c = await RawClient.open(h.wsUrl, { 'user-agent': 'ddp-test' });
    c.send({ msg: 'connect', version: '1', support: ['1'] });
    const { session } = await c.next();
    c.send({ msg: 'method', id: 'w', method: 'whoami', params: [], randomSeed: 'seed' });
    expect((await c.next()).result).toEqual({ id: session, name: 'whoami', randomSeed: 'seed', userId: null, address: '127.0.0.1', agent: 'ddp-test' });
    await c.close();
  });
});

describe('method errors', () => {
  it('answers an unknown method with 404, shaped field by field', async () => {
    const c = await RawClient.connected(h.wsUrl);
    const { error } = (await c.call('u', 'nope')) as { error: Record<string, unknown> };
    expect(error).toEqual({ isClientSafe: true, error: 404, reason: "Method 'nope' not found", message: "Method 'nope' not found [404]", errorType: 'Meteor.Error' });
    expect(Object.keys(error)).toEqual(errorKeys);
    await c.close();
  });

  it('sends a thrown MeteorError as is, details included, without a `result` key', async () => {
    const c = await RawClient.connected(h.wsUrl);
    const reply = await c.call('m', 'meteorError');
    expect(Object.keys(reply)).toEqual(['msg', 'id', 'error']);
    const error = reply.error as Record<string, unknown>;
    expect(error).toEqual(new MeteorError('custom-error', 'Custom reason', { why: 'testing' }).toWire());
    expect(Object.keys(error)).toEqual(['isClientSafe', 'error', 'reason', 'details', 'message', 'errorType']);
    expect(error.message).toBe('Custom reason [custom-error]');
    await c.close();
  });

  it('hides unexpected errors behind a 500 and logs the original at error level', async () => {
    const c = await RawClient.connected(h.wsUrl);
    for (const method of ['plainError', 'syncThrow', 'circular', 'bigint']) {
      const { error } = (await c.call(method, method)) as { error: Record<string, unknown> };
      expect(error).toEqual({ isClientSafe: true, error: 500, reason: 'Internal server error', message: 'Internal server error [500]', errorType: 'Meteor.Error' });
      expect(Object.keys(error)).toEqual(errorKeys);
    }
    const logged = h.logs.filter((line) => line.level === 50 && line.method === 'plainError');
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).toContain('secret internal details');
    expect((await c.call('after', 'echo', [1])).result).toEqual([1]);
    await c.close();
  });

  it('maps errors through toMeteorError, even when the mapping itself throws', async () => {
    const mapping = await startHarness({
      toMeteorError: (error) => {
        if (error instanceof TypeError) throw new Error('mapping broke');
        return new MeteorError('mapped', String((error as Error).message));
      },
    });
    const c = await RawClient.connected(mapping.wsUrl);
    expect(((await c.call('1', 'plainError')).error as { error: string }).error).toBe('mapped');
    expect(((await c.call('2', 'syncThrow')).error as { error: number }).error).toBe(500);
    await c.close();
    await mapping.close();
  });

  it('never logs params or results', async () => {
    const c = await RawClient.connected(h.wsUrl);
    await c.call('secret', 'echo', ['hunter2-password']);
    await c.call('secret2', 'plainError', ['123456-code']);
    expect(JSON.stringify(h.logs)).not.toMatch(/hunter2|123456/);
    await c.close();
  });
});

describe('malformed method calls', () => {
  it.each([
    { msg: 'method', id: 1, method: 'echo' },
    { msg: 'method', id: 'x' },
    { msg: 'method', id: 'x', method: 'echo', params: { not: 'an array' } },
    { msg: 'method', id: 'x', method: 'echo', params: null },
    { msg: 'method', id: 'x', method: 'echo', params: [{ $type: 'unknown-ejson-type', $value: 1 }] },
  ])('answers %j with "Malformed method invocation"', async (message) => {
    const c = await RawClient.connected(h.wsUrl);
    c.send(message);
    expect(await c.next()).toEqual({ msg: 'error', reason: 'Malformed method invocation', offendingMessage: message });
    await c.close();
  });
});

describe('ordering', () => {
  it('runs one connection’s methods strictly in call order', async () => {
    const c = await RawClient.connected(h.wsUrl);
    c.send({ msg: 'method', id: 'slow', method: 'slow', params: [150] });
    c.send({ msg: 'method', id: 'fast', method: 'echo', params: ['fast'] });
    c.send({ msg: 'sub', id: 'sub', name: 'things' });
    const ids = [];
    for (let i = 0; i < 5; i += 1) {
      const message = await c.next();
      ids.push(message.msg === 'updated' ? `updated:${message.methods[0]}` : `${message.msg}:${message.id}`);
    }
    expect(ids).toEqual(['result:slow', 'updated:slow', 'result:fast', 'updated:fast', 'nosub:sub']);
    await c.close();
  });

  it('does not let one connection’s slow method block another connection', async () => {
    const slow = await RawClient.connected(h.wsUrl);
    const fast = await RawClient.connected(h.wsUrl);
    slow.send({ msg: 'method', id: 'slow', method: 'slow', params: [400] });
    const started = Date.now();
    expect((await fast.call('fast', 'echo', ['quick'])).result).toEqual(['quick']);
    expect(Date.now() - started).toBeLessThan(300);
    expect((await slow.next()).result).toBe('slow done');
    await Promise.all([slow.close(), fast.close()]);
  });

  it('closes a connection that piles up more than 100 unanswered messages with 1008', async () => {
    const c = await RawClient.connected(h.wsUrl);
    for (let i = 0; i < 102; i += 1) c.send({ msg: 'method', id: `q${i}`, method: 'slow', params: [200] });
    expect((await c.closed).code).toBe(1008);
  });

  it('does not throw when a method finishes after its client left', async () => {
    const c = await RawClient.connected(h.wsUrl);
    c.send({ msg: 'method', id: 'gone', method: 'slow', params: [100] });
    c.socket.terminate();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const other = await RawClient.connected(h.wsUrl);
    expect((await other.call('ok', 'echo', [])).result).toEqual([]);
    await other.close();
  });
});
