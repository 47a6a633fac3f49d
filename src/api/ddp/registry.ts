import type { AppOperation, Core, RateRuleName } from '../../core/index.ts';
import { accountMethods } from './accounts.ts';
import { protectedMethod, type ProtectedHandler, type ProtectedMethod } from './protected-methods.ts';
import { twoFactorMethods } from './two-factor-methods.ts';
import type { MethodHandler } from './types.ts';

/**
 * The DDP methods twofold serves, and the way an embedding app adds its own — plain, or protected by
 * the second-factor guard (then reachable through `callWithTwoFactorRequired` too).
 */
export interface DdpRegistry {
  /** What the DDP server dispatches on (kept live: methods added later are served at once). */
  readonly methods: ReadonlyMap<string, MethodHandler>;
  method(name: string, handler: MethodHandler): void;
  protectedMethod(name: string, operation: AppOperation, handler: ProtectedHandler): void;
}

/** The DDP methods that count against the shared per-IP limits, like their REST twins. */
const LIMITS: Record<string, RateRuleName> = {
  login: 'login',
  sendEmailCode: 'sendEmailCode',
  callWithTwoFactorRequired: 'verify',
  '2fa:validateTempToken': 'verify',
  '2fa:disable': 'verify',
  '2fa:regenerateCodes': 'verify',
};

function limited(core: Core, name: string, handler: MethodHandler): MethodHandler {
  const rule = LIMITS[name];
  if (!rule) return handler;
  return async (invocation, ...params) => {
    await core.limits.enforce(rule, invocation.connection.clientAddress);
    return handler(invocation, ...params);
  };
}

export function createDdpRegistry(core: Core): DdpRegistry {
  const methods = new Map<string, MethodHandler>();
  const plain = new Map<string, MethodHandler>();
  const guarded = new Map<string, ProtectedMethod>();

  const assertFree = (name: string) => {
    if (methods.has(name)) throw new Error(`DDP method "${name}" is already defined`);
  };
  const registry: DdpRegistry = {
    methods,
    method(name, handler) {
      assertFree(name);
      plain.set(name, handler);
      methods.set(name, handler);
    },
    protectedMethod: (name, operation, handler) => addProtected(name, { operation, handler }),
  };
  function addProtected(name: string, definition: ProtectedMethod) {
    assertFree(name);
    guarded.set(name, definition);
    methods.set(name, protectedMethod(core, definition));
  }

  for (const [name, handler] of Object.entries(accountMethods(core))) registry.method(name, limited(core, name, handler));
  const twoFactor = twoFactorMethods(core, guarded, plain);
  for (const [name, handler] of Object.entries(twoFactor.methods)) registry.method(name, limited(core, name, handler));
  for (const [name, definition] of Object.entries(twoFactor.protectedOnes)) addProtected(name, definition);
  return registry;
}
