import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/index.ts';
import { installNativeErrors } from './errors.ts';
import { emailVerificationRoutes } from './routes/email-verification.ts';
import { meRoutes } from './routes/me.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { userRoutes } from './routes/users.ts';
import { totpRoutes } from './routes/totp.ts';
import { stepUpRoutes } from './routes/step-up.ts';
import { webauthnRoutes } from './routes/webauthn.ts';
import { deviceRoutes } from './routes/devices.ts';
import { adminRoutes } from './routes/admin.ts';
import { passwordResetLinkSeconds, policyRoutes, type PublicPolicy } from './routes/policy.ts';
import { passwordResetRoutes } from './routes/password-resets.ts';
import { factorChangeRoutes } from './routes/factor-changes.ts';
import type { Links } from '../http/links.ts';

export interface NativeApiOptions {
  core: Core;
  links: Links;
  /** The server's settings that `GET /v1/policy` tells clients. */
  policy: PublicPolicy;
}

/** The native JSON API, mounted under `/v1`. Its shared schemas are added to the root instance (`addSharedSchemas`). */
export const nativeApi: FastifyPluginAsync<NativeApiOptions> = async (app, { core, links, policy }) => {
  installNativeErrors(app);
  await app.register(userRoutes, { core, links });
  await app.register(totpRoutes, { core, links });
  await app.register(stepUpRoutes, { core });
  await app.register(sessionRoutes, { core, links });
  await app.register(meRoutes, { core });
  await app.register(emailVerificationRoutes, { core });
  await app.register(webauthnRoutes, { core });
  await app.register(deviceRoutes, { core });
  await app.register(adminRoutes, { core });
  await app.register(policyRoutes, { policy });
  await app.register(factorChangeRoutes, { core });
  await app.register(passwordResetRoutes, { core, linkValidSeconds: passwordResetLinkSeconds(policy) });
};

export type { PublicPolicy } from './routes/policy.ts';
export { VERIFY_LINK_PATH } from './routes/email-verification.ts';
export { passwordResetLink } from './routes/password-resets.ts';
export { factorChangeVetoLink } from './routes/factor-changes.ts';
