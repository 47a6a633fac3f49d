import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { DdpConnection, MethodHandler } from '../types.ts';
import { RawClient, startHarness, type Harness } from './test-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('liveness', () => {
  it('pings an idle client and keeps it while it answers', async () => {
    h = await startHarness({ pingIntervalMs: 40 });
    const c = await RawClient.connected(h.wsUrl);
    for (let i = 0; i < 3; i += 1) {
      expect(await c.next(500)).toEqual({ msg: 'ping' });
      c.send({ msg: 'pong' });
    }
    expect(h.ddp.connectionCount).toBe(1);
    await c.close();
  });

  it('drops a client silent for two intervals', async () => {
    h = await startHarness({ pingIntervalMs: 40 });
    const c = await RawClient.connected(h.wsUrl);
    expect(await c.next(500)).toEqual({ msg: 'ping' });
    const started = Date.now();
    await c.closed;
    expect(Date.now() - started).toBeLessThan(500);
    await delay(10);
    expect(h.ddp.connectionCount).toBe(0);
  });

  it('drops a client that never connects, without pinging it', async () => {
    h = await startHarness({ pingIntervalMs: 40 });
    const c = await RawClient.open(h.wsUrl);
    const frames: string[] = [];
    c.socket.on('message', (data) => frames.push(String(data)));
    await c.closed;
    expect(frames).toEqual([]);
  });
});

describe('the connection object', () => {
  it('counts connections and runs onClose callbacks when a client leaves', async () => {
    let closedConnection: DdpConnection | undefined;
    const methods = new Map<string, MethodHandler>([
      [
        'watch',
        ({ connection }) => {
          connection.userId = 'user-1';
          connection.onClose(() => (closedConnection = connection));
        },
      ],
    ]);
    h = await startHarness({ methods });
    const c = await RawClient.connected(h.wsUrl);
    await c.call('w', 'watch');
    expect(h.ddp.connectionCount).toBe(1);
    await c.close();
    await delay(20);
    expect(closedConnection?.userId).toBe('user-1');
    expect(h.ddp.connectionCount).toBe(0);
  });

  it('lets a handler close its own connection', async () => {
    h = await startHarness();
    const c = await RawClient.connected(h.wsUrl);
    c.send({ msg: 'method', id: 'bye', method: 'closeMe' });
    expect((await c.closed).code).toBe(1000);
  });

  it('logs open and close at debug level with the connection id only', async () => {
    h = await startHarness();
    const c = await RawClient.connected(h.wsUrl);
    await c.close();
    await delay(20);
    const lines = h.logs.filter((line) => /DDP connection (opened|closed)/.test(line.msg));
    expect(lines.map((line) => line.msg)).toEqual(['DDP connection opened', 'DDP connection closed']);
    for (const line of lines) {
      expect(line.level).toBe(20);
      expect(Object.keys(line).filter((key) => !['level', 'time', 'pid', 'hostname', 'msg'].includes(key))).toEqual(['connection']);
    }
  });
});

describe('close()', () => {
  it('closes every connection with the given code and stops accepting', async () => {
    h = await startHarness();
    const a = await RawClient.connected(h.wsUrl);
    const b = await RawClient.connected(h.wsUrl);
    a.send({ msg: 'method', id: 'pending', method: 'slow', params: [100] });
    await h.ddp.close(4000);
    expect((await a.closed).code).toBe(4000);
    expect((await b.closed).code).toBe(4000);
    expect(h.ddp.connectionCount).toBe(0);
    await expect(RawClient.open(h.wsUrl)).rejects.toThrow();
  });

  it('defaults to 1001 and is idempotent', async () => {
    h = await startHarness();
    const a = await RawClient.connected(h.wsUrl);
    await Promise.all([h.ddp.close(), h.ddp.close()]);
    expect((await a.closed).code).toBe(1001);
  });
});
