import { createHash } from 'node:crypto';
import simpleDDP from 'simpleddp';
import { simpleDDPLogin } from 'simpleddp-plugin-login';
import { DDPSDK } from '@rocket.chat/ddp-client';
import WebSocket from 'ws';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export type SimpleDdpClient = InstanceType<typeof simpleDDP> & {
  login(options: unknown): Promise<{ id: string; token: string; tokenExpires: unknown; type: string }>;
  logout(): Promise<void>;
};

/** simpleddp with its login plugin, connected to our raw DDP endpoint (with `headers` on the upgrade request). */
export async function connectSimpleDdp(wsUrl: string, headers?: Record<string, string>): Promise<SimpleDdpClient> {
  const SocketConstructor = headers
    ? class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers });
        }
      }
    : WebSocket;
  const client = new simpleDDP({ endpoint: wsUrl, SocketConstructor, reconnectInterval: 60_000 }, [simpleDDPLogin]) as SimpleDdpClient;
  await withTimeout(client.connect(), 5000, 'simpleddp connect');
  return client;
}

/** A DDP call's error, or a failure if the call succeeded. */
export async function ddpError(call: Promise<unknown>): Promise<{ error: string | number; reason?: string; details?: any; message: string }> {
  try {
    await call;
  } catch (error) {
    return error as { error: string | number; reason?: string; details?: any; message: string };
  }
  throw new Error('expected the DDP call to fail');
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** @rocket.chat/ddp-client over `ws` (it expects a browser's global WebSocket), closed after `use`. */
export async function withRocketChatSdk<T>(serverUrl: string, use: (sdk: DDPSDK) => Promise<T>): Promise<T> {
  const previous = (globalThis as { WebSocket?: unknown }).WebSocket;
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  const sdk = await withTimeout(DDPSDK.createAndConnect(serverUrl), 5000, '@rocket.chat/ddp-client connect');
  try {
    return await use(sdk);
  } finally {
    sdk.connection.close();
    (globalThis as { WebSocket?: unknown }).WebSocket = previous;
  }
}
