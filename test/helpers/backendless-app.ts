import Backendless from 'backendless';
import type { TestServer } from './server.ts';

export type BackendlessApp = typeof Backendless;

/** An app of its own (the SDK's `standalone`), pointed at `server`: its own current user, its own session. */
export function appFor(server: TestServer): BackendlessApp {
  const { appId, apiKey } = server.server.backendless;
  return Backendless.initApp({ appId, apiKey, serverURL: server.url, standalone: true }) as BackendlessApp;
}
