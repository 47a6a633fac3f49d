import SockJS from 'sockjs-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeFrame, messageFrame, readClientFrame } from './sockjs-framing.ts';
import { sockjsInfo } from './sockjs-http.ts';
import { RawClient, startHarness, type Harness } from './test-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const sockjsUrl = (path = '/sockjs/123/abcdefgh/websocket') => `ws://127.0.0.1:${h.port}${path}`;
const connect = { msg: 'connect', version: '1', support: ['1', 'pre2', 'pre1'] };

describe('SockJS framing (pure)', () => {
  it('batches messages as `a` + a JSON array of JSON strings, closes with `c[code,reason]`', () => {
    expect(messageFrame(['{"msg":"ping"}'])).toBe('a["{\\"msg\\":\\"ping\\"}"]');
    expect(closeFrame(3000, 'Go away!')).toBe('c[3000,"Go away!"]');
  });

  it('reads a client frame as an array of strings or one string', () => {
    expect(readClientFrame('["a","b"]')).toEqual(['a', 'b']);
    expect(readClientFrame('"a"')).toEqual(['a']);
    expect(readClientFrame('')).toEqual([]);
    expect(readClientFrame('[1]')).toBeUndefined();
    expect(readClientFrame('{"msg":"connect"}')).toBeUndefined();
    expect(readClientFrame('[')).toBeUndefined();
  });
});

describe('GET /sockjs/info', () => {
  it('tells clients to use the WebSocket transport without cookies', async () => {
    const response = await fetch(`${h.httpUrl}/sockjs/info?cb=x`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toMatch(/no-store/);
    const info = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(info)).toEqual(['websocket', 'origins', 'cookie_needed', 'entropy']);
    expect(info).toMatchObject({ websocket: true, origins: ['*:*'], cookie_needed: false });
    expect(Number.isInteger(info.entropy) && (info.entropy as number) >= 0 && (info.entropy as number) < 2 ** 32).toBe(true);
    expect(sockjsInfo().entropy).not.toBe(sockjsInfo().entropy);
  });

  it('answers a CORS preflight and reflects the origin', async () => {
    const response = await fetch(`${h.httpUrl}/sockjs/info`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-custom' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toBe('OPTIONS, GET');
    expect(response.headers.get('access-control-allow-headers')).toBe('x-custom');
  });

  it('leaves every other path to the caller', async () => {
    expect((await fetch(`${h.httpUrl}/sockjs/infox`)).status).toBe(404);
    expect((await fetch(`${h.httpUrl}/other`)).status).toBe(404);
  });
});

describe('the SockJS websocket endpoint, byte by byte', () => {
  it('opens with `o`, answers in `a[...]` frames and handles every element of an incoming array', async () => {
    const c = await RawClient.open(sockjsUrl());
    expect(await c.nextFrame()).toBe('o');
    c.send(JSON.stringify([JSON.stringify(connect)]));
    const connected = await c.nextFrame();
    expect(connected).toMatch(/^a\[/);
    expect(JSON.parse(JSON.parse(connected.slice(1))[0])).toMatchObject({ msg: 'connected' });

    c.send(JSON.stringify([JSON.stringify({ msg: 'ping', id: '1' }), JSON.stringify({ msg: 'method', id: 'm', method: 'echo', params: [1] })]));
    expect(await c.nextFrame()).toBe(messageFrame([JSON.stringify({ msg: 'pong', id: '1' })]));
    // result and updated travel as one batch
    expect(await c.nextFrame()).toBe(messageFrame([JSON.stringify({ msg: 'result', id: 'm', result: [1] }), JSON.stringify({ msg: 'updated', methods: ['m'] })]));
    await c.close();
  });

  it('accepts a single JSON string frame and answers broken framing with "Parse error"', async () => {
    const c = await RawClient.open(sockjsUrl('/sockjs/1/x/websocket'));
    expect(await c.nextFrame()).toBe('o');
    c.send(JSON.stringify(JSON.stringify(connect)));
    expect(JSON.parse(JSON.parse((await c.nextFrame()).slice(1))[0]).msg).toBe('connected');
    c.send(JSON.stringify(connect));
    expect(await c.nextFrame()).toBe(messageFrame([JSON.stringify({ msg: 'error', reason: 'Parse error' })]));
    await c.close();
  });

  it('sends `c[3000,"Go away!"]` before closing on shutdown', async () => {
    const local = await startHarness();
    const c = await RawClient.open(`ws://127.0.0.1:${local.port}/sockjs/999/session1/websocket`);
    expect(await c.nextFrame()).toBe('o');
    const closing = local.close();
    expect(await c.nextFrame()).toBe('c[3000,"Go away!"]');
    expect((await c.closed).code).toBe(1001);
    await closing;
  });
});

describe('sockjs-client', () => {
  it('connects through /sockjs, runs a method and gets its result', async () => {
    const socket = new SockJS(`${h.httpUrl}/sockjs`);
    const received: Record<string, unknown>[] = [];
    const gotResult = new Promise<void>((resolve, reject) => {
      socket.onerror = () => reject(new Error('sockjs error'));
      socket.onmessage = (event: { data: string }) => {
        const message = JSON.parse(event.data) as Record<string, unknown>;
        received.push(message);
        if (message.msg === 'connected') socket.send(JSON.stringify({ msg: 'method', id: '1', method: 'echo', params: ['via sockjs'] }));
        if (message.msg === 'updated') resolve();
      };
    });
    socket.onopen = () => socket.send(JSON.stringify(connect));
    await gotResult;
    expect(received.map((message) => message.msg)).toEqual(['connected', 'result', 'updated']);
    expect(received[1]).toEqual({ msg: 'result', id: '1', result: ['via sockjs'] });
    const closed = new Promise((resolve) => (socket.onclose = resolve));
    socket.close();
    await closed;
  });
});
