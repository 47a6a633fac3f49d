import type { AppOperation, Core, RateRuleName } from '../../core/index.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import { isTwofoldError, TwofoldError } from '../../core/errors.ts';
import { isFailedAnswer, type RateRule } from '../../core/limits/rate-limit.ts';
import { accountMethods } from './accounts.ts';
import { passwordResetMethods } from './password-reset-methods.ts';
import { requireLogin } from './connection-session.ts';
import { protectedMethod, type ProtectedHandler, type ProtectedMethod } from './protected-methods.ts';
import { twoFactorMethods } from './two-factor-methods.ts';
import { MeteorError, type DdpConnection, type MethodHandler } from './types.ts';

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
  sendForgotPasswordEmail: 'accountMail',
  callWithTwoFactorRequired: 'verify',
  '2fa:validateTempToken': 'verify',
  '2fa:disable': 'verify',
  '2fa:regenerateCodes': 'verify',
};

function limited(core: Core, name: string, handler: MethodHandler): MethodHandler {
  const rule = LIMITS[name];
  if (!rule) return handler;
  return async (invocation, ...params) => {
    const verdict = await core.limits.enforce(rule, invocation.connection.clientAddress);
    let failed = true;
    try {
      const result = await handler(invocation, ...params);
      failed = invocation.failedQuietly === true;
      return result;
    } catch (error) {
      failed = failedCall(error);
      throw error;
    } finally {
      // Settled before the answer goes out, so the client's next call already sees the count.
      await verdict?.settle(failed).catch(() => undefined);
    }
  };
}

/**
 * A call's failure, judged as REST judges its status (`isFailedAnswer`): Meteor's `totp-required` is a
 * challenge after a right password, numeric errors are HTTP-like statuses, other Meteor errors are the
 * client's; anything else is our fault.
 */
function failedCall(error: unknown): boolean {
  if (isTwofoldError(error)) return isFailedAnswer(error.status, error.code);
  if (!(error instanceof MeteorError)) return false;
  if (error.error === 'totp-required') return false;
  return typeof error.error === 'number' ? isFailedAnswer(error.error) : true;
}

/** Runs `handler` once the connection's session (if it is logged in) still works and has full access. */
function signedInChecked(core: Core, handler: MethodHandler): MethodHandler {
  return async (invocation, ...params) => {
    if (invocation.connection.userId) await requireLogin(core, invocation.connection);
    return handler(invocation, ...params);
  };
}

export interface DdpRegistryOptions {
  /** Calls one connection may make to one method per window (the `ddpMethod` rule); undefined: no limit. */
  methodLimit?: Pick<RateRule, 'limit' | 'windowSeconds'> | undefined;
  clock?: Clock | undefined;
}

/**
 * Rocket.Chat's "calls per connection and method" limit. Kept in memory: a connection lives on one process,
 * so the count is exact, costs no database round trip, and goes when the connection does.
 */
function perConnectionLimit(limit: DdpRegistryOptions['methodLimit'], clock: Clock) {
  if (!limit) return (_name: string, handler: MethodHandler) => handler;
  const windows = new WeakMap<DdpConnection, Map<string, { start: number; calls: number }>>();
  const windowMs = limit.windowSeconds * 1000;
  return (name: string, handler: MethodHandler): MethodHandler =>
    async (invocation, ...params) => {
      const now = clock.now().getTime();
      let counts = windows.get(invocation.connection);
      if (!counts) windows.set(invocation.connection, (counts = new Map()));
      let window = counts.get(name);
      if (!window || now - window.start >= windowMs) counts.set(name, (window = { start: now, calls: 0 }));
      window.calls += 1;
      if (window.calls > limit.limit) {
        const resetAt = new Date(window.start + windowMs);
        const retryAfterSeconds = Math.max(1, Math.ceil((resetAt.getTime() - now) / 1000));
        throw new TwofoldError('rate_limited', { rule: 'ddpMethod', limit: limit.limit, retryAfterSeconds, resetAt: resetAt.toISOString() });
      }
      return handler(invocation, ...params);
    };
}

export function createDdpRegistry(core: Core, options: DdpRegistryOptions = {}): DdpRegistry {
  const perConnection = perConnectionLimit(options.methodLimit, options.clock ?? systemClock);
  const methods = new Map<string, MethodHandler>();
  const plain = new Map<string, MethodHandler>();
  const guarded = new Map<string, ProtectedMethod>();

  const assertFree = (name: string) => {
    if (methods.has(name)) throw new Error(`DDP method "${name}" is already defined`);
  };
  function addPlain(name: string, handler: MethodHandler) {
    assertFree(name);
    plain.set(name, handler);
    methods.set(name, perConnection(name, handler));
  }
  const registry: DdpRegistry = {
    methods,
    // An app's own method may read `connection.userId`: the session behind it is checked first, as twofold's own
    // methods check it (revoked elsewhere: logged out; past the enforcement deadline without a factor: refused).
    method: (name, handler) => addPlain(name, signedInChecked(core, handler)),
    protectedMethod: (name, operation, handler) => addProtected(name, { operation, handler }),
  };
  function addProtected(name: string, definition: ProtectedMethod) {
    assertFree(name);
    guarded.set(name, definition);
    methods.set(name, perConnection(name, protectedMethod(core, definition)));
  }

  for (const [name, handler] of Object.entries(accountMethods(core))) addPlain(name, limited(core, name, handler));
  for (const [name, handler] of Object.entries(passwordResetMethods(core))) addPlain(name, limited(core, name, handler));
  const twoFactor = twoFactorMethods(core, guarded, plain);
  for (const [name, handler] of Object.entries(twoFactor.methods)) addPlain(name, limited(core, name, handler));
  for (const [name, definition] of Object.entries(twoFactor.protectedOnes)) addProtected(name, definition);
  return registry;
}
