import type { FastifyPluginAsync } from 'fastify';
import type { FastifyRequest } from 'fastify';
import { parseProof, type Core, type SessionAccess } from '../../core/index.ts';
import { TwofoldError } from '../../core/errors.ts';
import { publicUser } from '../../core/users/user.ts';
import { requestContext } from '../rest/request-context.ts';
import { requireBackendlessUser } from './session.ts';
import type { UserRouteOptions } from './user-routes.ts';

type Params = Record<string, unknown>;

type Method = (params: Params, request: FastifyRequest) => Promise<unknown>;

/** The signed-in caller, offering `{code}` (or `{method, code}`) as proof when the app sent one. */
async function caller(core: Core, request: FastifyRequest, params: Params, access: SessionAccess = 'full') {
  const { user, session } = await requireBackendlessUser(core, request, access);
  const proof = parseProof({ code: params.code, method: params.method }, { passwordCode: 'plain', sessionId: session.id });
  return { user, asker: { session, context: requestContext(request, 'backendless'), proof } };
}

/**
 * The `TOTP` custom service of the seed document, reached with
 * `Backendless.CustomServices.invoke('TOTP', <method>, params)`. Service and method names match
 * without regard to case, as Backendless does.
 */
export const backendlessTotpService: FastifyPluginAsync<UserRouteOptions> = async (app, { core, links, render }) => {
  const methods: Record<string, Method> = {
    /** Finishes a login or registration transaction: returns the logged-in user with its `user-token`. */
    async authwith2fa(params, request) {
      const proof = parseProof({ code: params.code, method: params.method }, { passwordCode: 'plain' });
      const result = await core.auth.completeSecondFactor({ transactionId: params.transactionId, proof, rememberDevice: false }, requestContext(request, 'backendless'));
      return {
        ...(await render(publicUser(result.user), result.issued, await core.auth.setupRequirement(result.user))),
        ...(result.backupCodes ? { backupCodes: result.backupCodes } : {}),
      };
    },

    /**
     * The seed's enable2FA: turns 2FA on at once for the logged-in user. The new secret is armed: from now on
     * sign-in asks for a code, and the first code of it (`authWith2FA` at the next login, or `confirm2FA`)
     * activates it; an authenticator already active keeps working until then, so an abandoned QR code locks
     * nobody out. Replacing a working authenticator needs the seed variant's proof (BACKENDLESS_2FA_CHANGE_PROOF).
     */
    async enable2fa(params, request) {
      // Turning 2FA on is what a session past its setup deadline may still do (with confirm2FA and status).
      const { user, asker } = await caller(core, request, params, 'setup');
      const enrollment = await core.factors.totp.enrol(user.id, asker, { mode: 'armed', operation: 'backendless.enable-2fa' });
      return { qrURL: links.qrImage(enrollment.qrId), secret: enrollment.secret, transactionId: enrollment.transactionId };
    },

    /** twofold's optional extra: activates the new secret with a code from it (and returns backup codes). */
    async confirm2fa(params, request) {
      const { user, asker } = await caller(core, request, {}, 'setup');
      const code = parseProof({ code: params.code, method: 'totp' }, { passwordCode: 'plain' });
      return core.factors.totp.confirm(user.id, code, asker, 'backendless.enable-2fa');
    },

    /** The seed's disable2FA: no parameters from a session that signed in with its second factor; `{code}` always works. */
    async disable2fa(params, request) {
      const { user, asker } = await caller(core, request, params);
      await core.factors.totp.disable(user.id, asker, 'backendless.disable-2fa');
      return true;
    },

    async regeneratebackupcodes(params, request) {
      const { user, asker } = await caller(core, request, params);
      return core.factors.backup.regenerate(user.id, asker);
    },

    async status(_params, request) {
      const { user } = await requireBackendlessUser(core, request, 'setup');
      return core.factors.totp.status(user.id);
    },
  };

  app.post<{ Params: { service: string; method: string }; Body: unknown }>('/services/:service/:method', { config: { rateLimit: 'verify' } }, async (request) => {
    const method = request.params.service.toLowerCase() === 'totp' ? methods[request.params.method.toLowerCase()] : undefined;
    if (!method || !Object.hasOwn(methods, request.params.method.toLowerCase())) {
      throw new TwofoldError('not_found', { service: request.params.service, method: request.params.method });
    }
    const body = request.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body) || body === null) throw new TwofoldError('validation_failed', { field: 'body' });
    return method(body as Params, request);
  });
};
