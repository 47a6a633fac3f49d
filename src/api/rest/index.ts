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
import type { Links } from '../http/links.ts';

/** The native JSON API, mounted under `/v1`. */
export const nativeApi: FastifyPluginAsync<{ core: Core; links: Links }> = async (app, { core, links }) => {
  installNativeErrors(app);
  await app.register(userRoutes, { core, links });
  await app.register(totpRoutes, { core, links });
  await app.register(stepUpRoutes, { core });
  await app.register(sessionRoutes, { core, links });
  await app.register(meRoutes, { core });
  await app.register(emailVerificationRoutes, { core });
  await app.register(webauthnRoutes, { core });
  await app.register(deviceRoutes, { core });
};

export { VERIFY_LINK_PATH } from './routes/email-verification.ts';
