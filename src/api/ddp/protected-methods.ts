import type { Core, GuardPass, ProtectedOperation } from '../../core/index.ts';
import { ddpContext, requireLogin } from './connection-session.ts';
import type { MethodHandler, MethodInvocation } from './types.ts';

/** A protected method's handler: runs only once the guard has let the caller through, and gets its pass. */
export type ProtectedHandler = (invocation: MethodInvocation, pass: GuardPass, ...params: unknown[]) => unknown | Promise<unknown>;

export interface ProtectedMethod {
  operation: ProtectedOperation;
  handler: ProtectedHandler;
}

/** Set by `callWithTwoFactorRequired` after it checked the code, for the one call it then makes. */
const prechecked = new WeakMap<MethodInvocation, GuardPass>();

export function runPrechecked(invocation: MethodInvocation, pass: GuardPass, method: ProtectedMethod, params: unknown[]) {
  prechecked.set(invocation, pass);
  return method.handler(invocation, pass, ...params);
}

const isCodeArgument = (value: unknown): value is { twoFactorCode?: unknown; twoFactorMethod?: unknown } =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'twoFactorCode' in value;

/**
 * Wraps a protected method. The code may come, in Rocket.Chat's ways, as a trailing
 * `{twoFactorCode, twoFactorMethod}` argument or as `x-2fa-code` / `x-2fa-method` headers on the
 * WebSocket upgrade; `callWithTwoFactorRequired` checks it before calling.
 */
export function protectedMethod(core: Core, method: ProtectedMethod): MethodHandler {
  return async (invocation, ...params) => {
    const pass = prechecked.get(invocation) ?? (await obtainPass(core, invocation, method.operation, params));
    return method.handler(invocation, pass, ...params);
  };
}

export async function obtainPass(core: Core, invocation: MethodInvocation, operation: ProtectedOperation, params: unknown[], code?: unknown, codeMethod?: unknown) {
  const { user, session } = await requireLogin(core, invocation.connection);
  let supplied = { code, method: codeMethod };
  if (code === undefined && isCodeArgument(params.at(-1))) {
    const argument = params.pop() as { twoFactorCode?: unknown; twoFactorMethod?: unknown };
    supplied = { code: argument.twoFactorCode, method: argument.twoFactorMethod };
  } else if (code === undefined) {
    const headers = invocation.connection.headers;
    supplied = { code: headers['x-2fa-code'], method: headers['x-2fa-method'] };
  }
  return core.checkSecondFactor({ userId: user.id, operation, session, context: ddpContext(invocation.connection), ...supplied });
}
