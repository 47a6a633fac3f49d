import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from './messages.ts';
import { RawClient, startHarness, type Harness } from './test-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ maxFrameBytes: 4096 });
});
afterAll(() => h.close());

describe('message parsing (pure)', () => {
  it('needs a JSON object with a non-empty string `msg`', () => {
    expect(parseMessage('{"msg":"ping"}')).toEqual({ ok: true, message: { msg: 'ping' } });
    expect(parseMessage('{nope')).toEqual({ ok: false, reply: { msg: 'error', reason: 'Parse error' } });
    expect(parseMessage('{"id":"1"}')).toEqual({ ok: false, reply: { msg: 'error', reason: 'Bad request', offendingMessage: { id: '1' } } });
    expect(parseMessage('{"msg":""}')).toMatchObject({ ok: false, reply: { reason: 'Bad request' } });
    expect(parseMessage('[1]')).toEqual({ ok: false, reply: { msg: 'error', reason: 'Bad request', offendingMessage: [1] } });
    expect(parseMessage('null')).toEqual({ ok: false, reply: { msg: 'error', reason: 'Bad request' } });
  });
});

describe('protocol errors keep the connection open', () => {
  it('answers non-JSON with "Parse error" (no offendingMessage: there is none)', async () => {
    const c = await RawClient.connected(h.wsUrl);
    c.send('this is not json');
    expect(await c.next()).toEqual({ msg: 'error', reason: 'Parse error' });
    c.send({ msg: 'ping', id: 'still-there' });
    expect(await c.next()).toEqual({ msg: 'pong', id: 'still-there' });
    await c.close();
  });

  it('answers a missing or unknown `msg` with "Bad request", before and after connect', async () => {
    const c = await RawClient.open(h.wsUrl);
    c.send({ id: 'x' });
    expect(await c.next()).toEqual({ msg: 'error', reason: 'Bad request', offendingMessage: { id: 'x' } });
    c.send({ msg: 'connect', version: '1', support: ['1'] });
    expect((await c.next()).msg).toBe('connected');
    c.send({ msg: 'teleport', to: 'mars' });
    expect(await c.next()).toEqual({ msg: 'error', reason: 'Bad request', offendingMessage: { msg: 'teleport', to: 'mars' } });
    c.send({ msg: 42 });
    expect(await c.next()).toEqual({ msg: 'error', reason: 'Bad request', offendingMessage: { msg: 42 } });
    await c.close();
  });

  it('answers a binary frame with "Bad request"', async () => {
    const c = await RawClient.connected(h.wsUrl);
    c.socket.send(Buffer.from('{"msg":"ping"}'), { binary: true });
    expect(await c.next()).toEqual({ msg: 'error', reason: 'Bad request' });
    await c.close();
  });

  it('survives a burst of 200 garbage frames and still answers', async () => {
    const c = await RawClient.connected(h.wsUrl);
    const garbage = ['', '{', 'null', '[]', '"text"', '{"msg":null}', '{"msg":"method"}', '{"msg":"sub","id":1}', '\u0000\u0001', '{"msg":"connect"}'];
    for (let i = 0; i < 200; i += 1) c.send(garbage[i % garbage.length]);
    for (let i = 0; i < 200; i += 1) expect((await c.next()).msg).toBe('error');
    expect(await c.call('after', 'echo', ['alive'])).toEqual({ msg: 'result', id: 'after', result: ['alive'] });
    await c.close();
  });
});

describe('ping and pong', () => {
  it('answers ping with pong carrying the same id, or none', async () => {
    const c = await RawClient.connected(h.wsUrl);
    c.send({ msg: 'ping', id: 'p1' });
    expect(await c.next()).toEqual({ msg: 'pong', id: 'p1' });
    c.send({ msg: 'ping' });
    expect(await c.next()).toEqual({ msg: 'pong' });
    await c.close();
  });

  it('answers ping at once, even while a slow method runs', async () => {
    const c = await RawClient.connected(h.wsUrl);
    c.send({ msg: 'method', id: 'm', method: 'slow', params: [200] });
    c.send({ msg: 'ping', id: 'during' });
    expect(await c.next()).toEqual({ msg: 'pong', id: 'during' });
    expect((await c.next()).id).toBe('m');
    await c.close();
  });

  it('accepts a pong from the client silently', async () => {
    const c = await RawClient.connected(h.wsUrl);
    c.send({ msg: 'pong', id: 'whatever' });
    expect(await c.silentFor(50)).toBe(true);
    await c.close();
  });
});

describe('frame size', () => {
  it('closes a connection that sends a frame over maxFrameBytes with 1009', async () => {
    const c = await RawClient.connected(h.wsUrl);
    c.send({ msg: 'method', id: 'big', method: 'echo', params: ['x'.repeat(5000)] });
    expect((await c.closed).code).toBe(1009);
    const other = await RawClient.connected(h.wsUrl);
    expect((await other.call('ok', 'echo', [1])).result).toEqual([1]);
    await other.close();
  });
});

describe('upgrade paths', () => {
  it('serves /websocket, /websocket/ and /sockjs/websocket', async () => {
    for (const path of ['/websocket', '/websocket/', '/sockjs/websocket', '/websocket?x=1']) {
      const c = await RawClient.connected(`ws://127.0.0.1:${h.port}${path}`);
      await c.close();
    }
  });

  it('answers other upgrade paths with 404', async () => {
    for (const path of ['/', '/websocketx', '/sockjs/1234/abc/websocket', '/sockjs/1/a.b/websocket']) {
      await expect(RawClient.open(`ws://127.0.0.1:${h.port}${path}`)).rejects.toThrow(/404/);
    }
  });
});
