import { isTwofoldError } from '../../core/errors.ts';
import type { Core, SessionAccess } from '../../core/index.ts';
import { ddpContext, requireLogin } from './connection-session.ts';
import { ddpAsker, ddpProof, obtainPass, runPrechecked, type ProtectedMethod } from './protected-methods.ts';
import type { MethodHandler, MethodInvocation } from './types.ts';
import { ddpErrors } from './errors.ts';

const stripHyphen = (code: string) => code.replace('-', '');
const WRONG_CODE = ['second_factor_invalid', 'code_invalid', 'code_malformed'];
const NO_CODE = ['second_factor_required', 'code_required'];

/**
 * Rocket.Chat answers a missing or wrong code of these methods with a value, not an error. A wrong code is still a
 * failed answer for the per-IP limits (and was counted toward the account lockout where it was checked); a missing
 * one is a challenge, not a guess.
 */
function codeRefused<T>(invocation: MethodInvocation, error: unknown, value: T): T {
  if (!isTwofoldError(error) || ![...WRONG_CODE, ...NO_CODE].includes(error.code)) throw error;
  if (WRONG_CODE.includes(error.code)) invocation.failedQuietly = true;
  return value;
}

/** Rocket.Chat's 2FA methods: TOTP management, email codes, and `callWithTwoFactorRequired`. */
export function twoFactorMethods(core: Core, protectedMethods: ReadonlyMap<string, ProtectedMethod>, plainMethods: ReadonlyMap<string, MethodHandler>) {
  const asker = (invocation: MethodInvocation, pass: Parameters<ProtectedMethod['handler']>[1], access: SessionAccess = 'full') =>
    requireLogin(core, invocation.connection, access).then(({ user, session }) => ({
      user,
      asker: { session, context: ddpContext(invocation.connection), proof: null, pass },
    }));

  const methods: Record<string, MethodHandler> = {
    /** The code is the proof: a wrong one answers `false`, as Rocket.Chat does (and counts as a wrong answer). */
    async '2fa:disable'(invocation, code) {
      try {
        const { user, asker: who } = await ddpAsker(core, invocation, [], code ?? null, 'totp');
        await core.factors.totp.disable(user.id, who);
        return true;
      } catch (error) {
        if (isTwofoldError(error) && error.code === 'totp_not_enabled') return false;
        return codeRefused(invocation, error, false);
      }
    },

    /**
     * A TOTP code or a backup code proves it (Rocket.Chat). A wrong one answers `undefined`, as Rocket.Chat does;
     * twofold also records it as a wrong answer: it counts toward the account lockout and the per-IP limit
     * (docs/rocketchat.md).
     */
    async '2fa:regenerateCodes'(invocation, code) {
      try {
        const { user, asker: who } = await ddpAsker(core, invocation, [], code ?? null, 'totp');
        const { backupCodes } = await core.factors.backup.regenerate(user.id, who);
        return { codes: backupCodes.map(stripHyphen) };
      } catch (error) {
        return codeRefused(invocation, error, undefined);
      }
    },

    async '2fa:checkCodesRemaining'(invocation) {
      const { user } = await requireLogin(core, invocation.connection);
      const status = await core.factors.totp.status(user.id);
      if (!status.enabled) throw ddpErrors.totpNotEnabled();
      return { remaining: status.backupCodesRemaining };
    },

    async sendEmailCode(invocation, emailOrUsername) {
      if (typeof emailOrUsername !== 'string' || emailOrUsername.trim() === '') {
        throw ddpErrors.parameterRequired('sendEmailCode', 'emailOrUsername');
      }
      return core.factors.email.sendCode(emailOrUsername, invocation.connection.userId);
    },

    /** Checks the code for the named method, then runs it as already verified; its result or error is returned as is. */
    async callWithTwoFactorRequired(invocation, request) {
      if (!invocation.connection.userId) throw ddpErrors.invalidUser('callWithTwoFactorRequired');
      if (typeof request !== 'object' || request === null) throw ddpErrors.matchFailed();
      const { code, ddpMethod, method, params = [] } = request as { code?: unknown; ddpMethod?: unknown; method?: unknown; params?: unknown };
      if (typeof ddpMethod !== 'string' || !Array.isArray(params)) throw ddpErrors.matchFailed();
      const target = protectedMethods.get(ddpMethod);
      const plain = plainMethods.get(ddpMethod);
      if (!target && !plain) throw ddpErrors.methodNotFound(ddpMethod);
      await target?.precheck?.(invocation);
      const codeOrNull = code === undefined || code === '' ? null : code;
      const operation = target?.operation ?? { name: ddpMethod };
      const pass = await obtainPass(core, invocation, operation, [...params], codeOrNull, method, target?.access);
      return target ? runPrechecked(invocation, pass, target, [...params]) : plain!(invocation, ...params);
    },
  };

  /**
   * Methods that change a factor: a proof of an existing factor first, in any of Rocket.Chat's ways. Those that set
   * one up (`access: 'setup'`) are what a session past its setup deadline may still call.
   */
  const protectedOnes: Record<string, ProtectedMethod> = {
    '2fa:enable': {
      operation: 'enrol-authenticator',
      access: 'setup',
      async precheck(invocation) {
        const { user } = await requireLogin(core, invocation.connection, 'setup');
        if ((await core.factors.totp.status(user.id)).enabled) throw ddpErrors.alreadyEnabled();
      },
      async handler(invocation, pass) {
        const { user, asker: who } = await asker(invocation, pass, 'setup');
        const enrollment = await core.factors.totp.enrol(user.id, who);
        return { secret: enrollment.secret, url: enrollment.uri };
      },
    },
    '2fa:validateTempToken': {
      operation: 'enrol-authenticator',
      access: 'setup',
      async handler(invocation, pass, code) {
        const { user, asker: who } = await asker(invocation, pass, 'setup');
        const { backupCodes, pendingUntil } = await core.factors.totp.confirm(user.id, ddpCode(code), who);
        // pendingUntil: twofold's veto window holds the new authenticator until then (absent: it is active now).
        return { codes: backupCodes.map(stripHyphen), ...(pendingUntil ? { pendingUntil } : {}) };
      },
    },
    '2fa:enable-email': {
      operation: 'enable-email-codes',
      access: 'setup',
      async handler(invocation, pass) {
        const { user, asker: who } = await asker(invocation, pass, 'setup');
        await core.factors.email.enable(user.id, who);
        return true;
      },
    },
    '2fa:disable-email': {
      operation: 'disable-email-codes',
      async handler(invocation, pass) {
        const { user, asker: who } = await asker(invocation, pass);
        await core.factors.email.disable(user.id, who);
        return true;
      },
    },
  };
  return { methods, protectedOnes };
}

/** The new authenticator's first code (its own, not a proof of another factor): malformed is `invalid-totp`. */
function ddpCode(code: unknown) {
  try {
    return ddpProof(code, 'totp', null);
  } catch {
    return { kind: 'totp' as const, code: '' };
  }
}
