/** Library entry: embed twofold in an application, or start it from code. */
export { createServer, type ServerOptions, type TwofoldServer } from './server/create-server.ts';
export { loadConfig, ConfigError, type Config } from './config.ts';
export { TwofoldError, errorCatalogue, type ErrorCode } from './core/errors.ts';
export { protectedOperations, type Core, type GuardPass, type ProtectedOperation, type ChallengeDetails } from './core/index.ts';
export { MeteorError, type MethodHandler, type MethodInvocation, type DdpConnection } from './api/ddp/types.ts';
export type { DdpRegistry } from './api/ddp/registry.ts';
