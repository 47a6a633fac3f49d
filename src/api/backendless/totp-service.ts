import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/index.ts';
import { TwofoldError } from '../../core/errors.ts';
import { publicUser } from '../../core/users/user.ts';
import { requestContext } from '../rest/request-context.ts';
import type { Links } from '../http/links.ts';
import { requireBackendlessUser } from './session.ts';
import { backendlessUser } from './user-json.ts';

type Params = Record<string, unknown>;

const change = (request: Parameters<typeof requestContext>[0], keepSessionId: string) => ({
  context: requestContext(request, 'backendless'),
  keepSessionId,
});
type Method = (params: Params, request: Parameters<typeof requireBackendlessUser>[1]) => Promise<unknown>;

/**
 * The `TOTP` custom service of the seed document, reached with
 * `Backendless.CustomServices.invoke('TOTP', <method>, params)`. Service and method names match
 * without regard to case, as Backendless does.
 */
export const backendlessTotpService: FastifyPluginAsync<{ core: Core; links: Links }> = async (app, { core, links }) => {
  const methods: Record<string, Method> = {
    /** Finishes a login or registration transaction: returns the logged-in user with its `user-token`. */
    async authwith2fa(params, request) {
      const result = await core.completeSecondFactor({ transactionId: params.transactionId, code: params.code }, requestContext(request, 'backendless'));
      return {
        ...backendlessUser(publicUser(result.user), result.issued.token),
        ...(result.backupCodes ? { backupCodes: result.backupCodes } : {}),
      };
    },

    /**
     * Starts enrolling an authenticator for the logged-in user: a pending secret that becomes active only
     * once a code from it is verified (`confirm2FA({code})`, or `authWith2FA({transactionId, code})`).
     * An authenticator already active keeps working until then.
     */
    async enable2fa(_params, request) {
      const { user } = await requireBackendlessUser(core, request);
      const enrollment = await core.totp.enroll(user.id);
      return { qrURL: links.qrImage(enrollment.qrId), secret: enrollment.secret, transactionId: enrollment.transactionId };
    },

    async confirm2fa(params, request) {
      const { user, session } = await requireBackendlessUser(core, request);
      return core.totp.confirm(user.id, params.code, change(request, session.id));
    },

    /** Turns 2FA off; needs `{code}`: a current authenticator code or a backup code. */
    async disable2fa(params, request) {
      const { user, session } = await requireBackendlessUser(core, request);
      await core.totp.disable(user.id, params.code, change(request, session.id));
      return true;
    },

    async regeneratebackupcodes(params, request) {
      const { user, session } = await requireBackendlessUser(core, request);
      return core.totp.regenerateBackupCodes(user.id, params.code, change(request, session.id));
    },

    async status(_params, request) {
      const { user } = await requireBackendlessUser(core, request);
      return core.totp.status(user.id);
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
