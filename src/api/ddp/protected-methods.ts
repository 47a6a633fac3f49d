import { TwofoldError, isTwofoldError } from '../../core/errors.ts';
import { parseProof, type AppOperation, type Asker, type ChallengePass, type Core, type OperationName, type Proof, type SessionAccess } from '../../core/index.ts';
import { ddpContext, requireLogin } from './connection-session.ts';
import type { MethodHandler, MethodInvocation } from './types.ts';

/** A protected method's handler: runs only once the challenge module has let the caller through, and gets its pass. */
export type ProtectedHandler = (invocation: MethodInvocation, pass: ChallengePass, ...params: unknown[]) => unknown | Promise<unknown>;

export interface ProtectedMethod {
  operation: OperationName | AppOperation;
  handler: ProtectedHandler;
  /** Refusals that come before any challenge (Rocket.Chat's `error-2fa-already-enabled`). */
  precheck?: (invocation: MethodInvocation) => Promise<void>;
  /** `setup`: setting up a factor, which a session past its setup deadline may still do. */
  access?: SessionAccess;
}

/** Set by `callWithTwoFactorRequired` after it checked the code, for the one call it then makes. */
const prechecked = new WeakMap<MethodInvocation, ChallengePass>();

export function runPrechecked(invocation: MethodInvocation, pass: ChallengePass, method: ProtectedMethod, params: unknown[]) {
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
    await method.precheck?.(invocation);
    const pass = prechecked.get(invocation) ?? (await obtainPass(core, invocation, method.operation, params, undefined, undefined, method.access));
    return method.handler(invocation, pass, ...params);
  };
}

/**
 * A code as DDP clients send it: Rocket.Chat's password fallback sends the password's hex SHA-256, a passkey
 * answer travels as the code with `method: 'webauthn'`. A malformed code is a wrong code here: Rocket.Chat
 * clients expect `totp-invalid` for both (it is not counted as a guess).
 */
export function ddpProof(code: unknown, method: unknown, sessionId: string | null): Proof | null {
  try {
    return parseProof({ code, method }, { passwordCode: 'digest', sessionId });
  } catch (error) {
    if (isTwofoldError(error) && (error.code === 'code_malformed' || error.code === 'code_required')) throw new TwofoldError('second_factor_invalid');
    throw error;
  }
}

/** The caller of a DDP method and its proof (given here, in a trailing argument, or in the upgrade headers). */
export async function ddpAsker(core: Core, invocation: MethodInvocation, params: unknown[], code?: unknown, codeMethod?: unknown, access: SessionAccess = 'full') {
  const { user, session } = await requireLogin(core, invocation.connection, access);
  let supplied = { code, method: codeMethod };
  if (code === undefined && isCodeArgument(params.at(-1))) {
    const argument = params.pop() as { twoFactorCode?: unknown; twoFactorMethod?: unknown };
    supplied = { code: argument.twoFactorCode, method: argument.twoFactorMethod };
  } else if (code === undefined) {
    const headers = invocation.connection.headers;
    supplied = { code: headers['x-2fa-code'], method: headers['x-2fa-method'] };
  }
  const asker: Asker = {
    session,
    context: ddpContext(invocation.connection),
    proof: ddpProof(supplied.code, supplied.method, session.id),
    preferredMethod: supplied.method,
  };
  return { user, session, asker };
}

export async function obtainPass(
  core: Core,
  invocation: MethodInvocation,
  operation: OperationName | AppOperation,
  params: unknown[],
  code?: unknown,
  codeMethod?: unknown,
  access: SessionAccess = 'full',
) {
  const { user, asker } = await ddpAsker(core, invocation, params, code, codeMethod, access);
  return core.challenge.require({ userId: user.id, operation, ...asker });
}
