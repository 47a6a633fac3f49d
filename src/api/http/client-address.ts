import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { Config } from '../../config.ts';

/** Whether the hop at `hop` (0: the socket's peer, then `X-Forwarded-For` from right to left) may speak for the client. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * The one trust rule for forwarded headers, given to Fastify (REST, Backendless) and used by DDP on its
 * upgrade requests, so every wire sees the same client address. `X-Forwarded-For` is read from the right:
 * each trusted hop may name the one before it, and the first untrusted one is the client, so whatever a client
 * writes at the left of the header is never believed.
 *
 * A hop count is passed as a function: Fastify ignores a bare number since 5.12.1 (a count cannot tell a
 * proxy from a client that connects directly, which is why docs/security.md asks for addresses where it can).
 */
export function proxyTrust(setting: Config['trustProxy']): ProxyTrust | false {
  if (typeof setting === 'number') return setting === 0 ? false : (_address, hop) => hop < setting;
  return setting.length === 0 ? false : proxyAddr.compile(setting);
}

/** The client's address on a raw Node request (a WebSocket upgrade), as Fastify's `request.ip` would give it. */
export function clientAddressOf(request: IncomingMessage, trust: ProxyTrust | false): string {
  return trust ? proxyAddr(request, trust) : (request.socket.remoteAddress ?? '');
}
