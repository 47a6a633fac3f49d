/** Library entry: embed twofold in an application, or start it from code. */
export { createServer, type ServerOptions, type TwofoldServer } from './server/create-server.ts';
export { loadConfig, ConfigError, type Config } from './config.ts';
export { TwofoldError, errorCatalogue, type ErrorCode } from './core/errors.ts';
export type { Core, ChallengePass, ChallengeDetails, AppOperation, OperationName, Proof } from './core/index.ts';
export { parseProof } from './core/index.ts';
/** An embedding app's protected operation (DDP `registry.protectedMethod`, REST step-up). */
export type { AppOperation as ProtectedOperation } from './core/index.ts';
export { MeteorError, type MethodHandler, type MethodInvocation, type DdpConnection } from './api/ddp/types.ts';
export type { DdpRegistry } from './api/ddp/registry.ts';
