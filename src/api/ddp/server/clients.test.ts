// Real third-party DDP clients against the server: what they send and expect is the contract that matters.
import { createRequire } from 'node:module';
import { DDPSDK } from '@rocket.chat/ddp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startHarness, type Harness } from './test-harness.ts';

// simpleddp ships no types; require() keeps this file free of a module declaration others might also add.
const simpleDDP = createRequire(import.meta.url)('simpleddp') as new (options: Record<string, unknown>) => {
  connect(): Promise<void>;
  call(method: string, ...params: unknown[]): Promise<unknown>;
  disconnect(): Promise<void>;
};

let h: Harness;
// simpleddp rejects internal promises on disconnect; they must not fail the run.
const swallow = () => undefined;
beforeAll(async () => {
  process.on('unhandledRejection', swallow);
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  process.off('unhandledRejection', swallow);
});

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('simpleddp', () => {
  it('connects, calls a method and decodes EJSON results and errors', async () => {
    const client = new simpleDDP({ endpoint: h.wsUrl, SocketConstructor: WebSocket, reconnectInterval: 5000 });
    try {
      await withTimeout(client.connect(), 3000, 'simpleddp connect');
      expect(await client.call('echo', 'hello', { n: 1 })).toEqual(['hello', { n: 1 }]);
      expect(await client.call('date')).toEqual({ at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) });
      expect(await client.call('nothing')).toBeUndefined();
      await expect(client.call('meteorError')).rejects.toMatchObject({ error: 'custom-error', reason: 'Custom reason', details: { why: 'testing' } });
    } finally {
      await client.disconnect();
    }
  });
});

describe('@rocket.chat/ddp-client', () => {
  it('connects with the base URL and calls methods', async () => {
    const previous = globalThis.WebSocket;
    // It builds its socket from the global WebSocket, which Node 20 lacks.
    globalThis.WebSocket = WebSocket as unknown as typeof globalThis.WebSocket;
    const sdk = DDPSDK.create(h.httpUrl);
    try {
      await withTimeout(sdk.connection.connect(), 3000, 'rocket.chat connect');
      expect(await withTimeout(sdk.call('echo', 'rc'), 3000, 'echo')).toEqual(['rc']);
      await expect(withTimeout(sdk.call('nope'), 3000, 'nope')).rejects.toMatchObject({ error: 404, reason: "Method 'nope' not found" });
    } finally {
      sdk.connection.close();
      globalThis.WebSocket = previous;
    }
  });
});
