import type { Core } from '../../core/index.ts';
import { protectedOperations } from '../../core/index.ts';
import { isTwofoldError } from '../../core/errors.ts';
import { ddpContext, requireLogin } from './connection-session.ts';
import { obtainPass, runPrechecked, type ProtectedMethod } from './protected-methods.ts';
import { MeteorError, type MethodHandler, type MethodInvocation } from './types.ts';

const stripHyphen = (code: string) => code.replace('-', '');
const change = (invocation: MethodInvocation, keepSessionId: string) => ({ context: ddpContext(invocation.connection), keepSessionId });

/** Rocket.Chat's 2FA methods: TOTP management, email codes, and `callWithTwoFactorRequired`. */
export function twoFactorMethods(core: Core, protectedMethods: ReadonlyMap<string, ProtectedMethod>, plainMethods: ReadonlyMap<string, MethodHandler>) {
  const methods: Record<string, MethodHandler> = {
    async '2fa:enable'(invocation) {
      const { user } = await requireLogin(core, invocation.connection);
      const enrollment = await core.totp.enroll(user.id);
      return { secret: enrollment.secret, url: enrollment.uri };
    },

    async '2fa:validateTempToken'(invocation, code) {
      const { user, session } = await requireLogin(core, invocation.connection);
      const { backupCodes } = await core.totp.confirm(user.id, code, change(invocation, session.id));
      return { codes: backupCodes.map(stripHyphen) };
    },

    async '2fa:disable'(invocation, code) {
      const { user, session } = await requireLogin(core, invocation.connection);
      try {
        await core.totp.disable(user.id, code, change(invocation, session.id));
        return true;
      } catch (error) {
        // Rocket.Chat answers a wrong code here with `false`, not an error.
        if (isTwofoldError(error) && ['code_invalid', 'code_malformed', 'code_required', 'totp_not_enabled'].includes(error.code)) return false;
        throw error;
      }
    },

    async '2fa:regenerateCodes'(invocation, code) {
      const { user, session } = await requireLogin(core, invocation.connection);
      const { backupCodes } = await core.totp.regenerateBackupCodes(user.id, code, change(invocation, session.id));
      return { codes: backupCodes.map(stripHyphen) };
    },

    async '2fa:checkCodesRemaining'(invocation) {
      const { user } = await requireLogin(core, invocation.connection);
      const status = await core.totp.status(user.id);
      if (!status.enabled) throw new MeteorError('invalid-totp', 'TOTP is not enabled');
      return { remaining: status.backupCodesRemaining };
    },

    async '2fa:enable-email'(invocation) {
      const { user } = await requireLogin(core, invocation.connection);
      await core.email2fa.enable(user.id, ddpContext(invocation.connection));
      return true;
    },

    async sendEmailCode(_invocation, emailOrUsername) {
      if (typeof emailOrUsername !== 'string' || emailOrUsername.trim() === '') {
        throw new MeteorError('error-parameter-required', 'emailOrUsername is a required parameter', { method: 'sendEmailCode' });
      }
      return core.email2fa.sendCode(emailOrUsername);
    },

    /** Checks the code for the named method, then runs it as already verified; its result or error is returned as is. */
    async callWithTwoFactorRequired(invocation, request) {
      if (typeof request !== 'object' || request === null) throw new MeteorError(400, 'Match failed');
      const { code, ddpMethod, method, params = [] } = request as { code?: unknown; ddpMethod?: unknown; method?: unknown; params?: unknown };
      if (typeof ddpMethod !== 'string' || !Array.isArray(params)) throw new MeteorError(400, 'Match failed');
      const target = protectedMethods.get(ddpMethod);
      const plain = plainMethods.get(ddpMethod);
      if (!target && !plain) throw new MeteorError(404, `Method '${ddpMethod}' not found`);
      const codeOrEmpty = code === undefined || code === null ? '' : code;
      const operation = target?.operation ?? { name: ddpMethod };
      const pass = await obtainPass(core, invocation, operation, [...params], codeOrEmpty === '' ? null : codeOrEmpty, method);
      return target ? runPrechecked(invocation, pass, target, [...params]) : plain!(invocation, ...params);
    },
  };

  const protectedOnes: Record<string, ProtectedMethod> = {
    '2fa:disable-email': {
      operation: protectedOperations.disableEmailFactor,
      async handler(invocation, pass) {
        const { user, session } = await requireLogin(core, invocation.connection);
        await core.email2fa.disable(user.id, { pass, session, context: ddpContext(invocation.connection) });
        return true;
      },
    },
  };
  return { methods, protectedOnes };
}
