import { MeteorError, type DdpConnection, type DdpServerOptions, type MethodInvocation } from '../types.ts';
import { fromEjsonValue, toEjsonValue } from './ejson.ts';
import type { DdpMessage } from './messages.ts';

export interface MethodCall {
  id: string;
  name: string;
  params: unknown[];
  randomSeed?: unknown;
}

export type MethodContext = Pick<DdpServerOptions, 'methods' | 'toMeteorError' | 'logger'>;

const internalError = () => new MeteorError(500, 'Internal server error');

/** The call a `method` message asks for, or undefined when it is malformed (bad EJSON in `params` included). */
export function readMethodCall(message: DdpMessage): MethodCall | undefined {
  const { id, method, params = [] } = message;
  if (typeof id !== 'string' || typeof method !== 'string' || !Array.isArray(params)) return undefined;
  let decoded: unknown;
  try {
    decoded = fromEjsonValue(params);
  } catch {
    return undefined;
  }
  const seed = 'randomSeed' in message ? { randomSeed: message.randomSeed } : {};
  return { id, name: method, params: decoded as unknown[], ...seed };
}

/** Runs one call to completion and returns the text of its `result` message. Never throws. */
export async function callMethod(call: MethodCall, connection: DdpConnection, context: MethodContext): Promise<string> {
  const handler = context.methods.get(call.name);
  if (!handler) return errorResult(call, new MeteorError(404, `Method '${call.name}' not found`).toWire(), context);
  try {
    const value = await handler(invocationOf(call, connection), ...call.params);
    // Inside the try: a result EJSON or JSON cannot carry (a cycle, a BigInt) fails like a throwing handler.
    return successResult(call.id, value);
  } catch (error) {
    return errorResult(call, clientError(error, call.name, context), context);
  }
}

function invocationOf(call: MethodCall, connection: DdpConnection): MethodInvocation {
  return { connection, name: call.name, ...('randomSeed' in call ? { randomSeed: call.randomSeed } : {}) };
}

function successResult(id: string, value: unknown): string {
  // Clients tell success from failure by the keys present: no `result` for undefined, never an `error` key.
  return JSON.stringify(value === undefined ? { msg: 'result', id } : { msg: 'result', id, result: toEjsonValue(value) });
}

function errorResult(call: MethodCall, error: Record<string, unknown>, context: MethodContext): string {
  try {
    return JSON.stringify({ msg: 'result', id: call.id, error });
  } catch (serialisation) {
    context.logger.error({ err: serialisation, method: call.name }, 'DDP method error could not be serialised');
    return JSON.stringify({ msg: 'result', id: call.id, error: internalError().toWire() });
  }
}

/** What the client may see of a failure; anything unexpected is logged here and hidden behind a 500. */
function clientError(error: unknown, method: string, context: MethodContext): Record<string, unknown> {
  try {
    const mapped = context.toMeteorError(error);
    if (mapped) return mapped.toWire();
  } catch (mappingFailure) {
    context.logger.error({ err: mappingFailure, method }, 'DDP error mapping failed');
  }
  context.logger.error({ err: error, method }, 'DDP method failed unexpectedly');
  return internalError().toWire();
}
