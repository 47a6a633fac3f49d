import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { createCore, defaultCorePolicy, type Core, type CorePolicy } from '../core/index.ts';
import type { Notifier } from '../core/notices.ts';
import { createMailer, createMailNotifier, type Mailer } from '../mail/index.ts';
import { createStores, migrate, openDb, type Db } from '../store/index.ts';
import { factorChangeVetoLink, passwordResetLink, VERIFY_LINK_PATH } from '../api/rest/index.ts';
import { createLogger } from './logger.ts';
import { loadKeyRing } from './secret-keys.ts';
import { prepareDataDirs } from './data-dir.ts';
import { resolveAppCredentials } from './app-credentials.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { AppCredentials } from '../api/backendless/app-credentials.ts';

export interface RuntimeOptions {
  config: Config;
  logger?: Logger;
  /** Share an open database (tests); otherwise one is opened from the config and closed with the runtime. */
  db?: Db;
  clock?: Clock;
  /** Replace mail delivery (tests); otherwise SMTP or the dev outbox per config. */
  notifier?: Notifier;
}

/** Everything but the network: storage (migrated), key ring, mail and the core. The CLI uses it alone. */
export interface Runtime {
  config: Config;
  metrics: Metrics;
  /** App id and REST API key the Backendless façade expects in its URLs. */
  backendless: AppCredentials;
  core: Core;
  db: Db;
  logger: Logger;
  close(): Promise<void>;
}

export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const ownsDb = !options.db;
  // The CLI has done this already; an app embedding twofold (createServer) has not.
  if (ownsDb) await prepareDataDirs(config);
  const db = options.db ?? (await openDb(config.database, (error) => logger.warn({ err: error }, 'database connection lost')));
  let mailer: Mailer | undefined;
  try {
    await migrate(db);
    const keyRing = await loadKeyRing(config, logger);
    const stores = createStores(db);
    const backendless = await resolveAppCredentials(config, stores.settings, logger);
    if (!options.notifier) {
      mailer = createMailer({
        from: config.mailFrom,
        outboxDir: join(config.dataDir, 'outbox'),
        logger,
        logSecrets: config.logMailSecrets,
        ...(config.smtpUrl ? { smtpUrl: config.smtpUrl } : {}),
      });
    }
    const metrics = createMetrics();
    const notifier = countedMail(options.notifier ?? createMailNotifier(mailer!, { productName: config.productName }), metrics);
    const core = createCore({
      stores,
      keyRing,
      clock: options.clock ?? systemClock,
      notifier,
      logger,
      policy: corePolicy(config),
      onEvent: (kind, details) => metrics.observeEvent(kind, details),
      links: {
        verifyEmail: (token) => `${config.publicUrl}${VERIFY_LINK_PATH}?token=${encodeURIComponent(token)}`,
        resetPassword: (token) => passwordResetLink(config.publicUrl, token),
        vetoFactorChange: (token) => factorChangeVetoLink(config.publicUrl, token),
      },
    });
    metrics.databaseGauge('twofold_users', 'Users with and without a second factor (TOTP, email codes on a verified address, or a key)', async () => {
      const counts = await core.admin.directory.secondFactorCounts();
      return { yes: counts.with, no: counts.without };
    }, 'second_factor');
    if (db.stats) metrics.gauge('twofold_db_pool_connections', 'Database pool connections by state', db.stats, 'state');
    return {
      config,
      metrics,
      backendless,
      core,
      db,
      logger,
      async close() {
        await mailer?.close();
        if (ownsDb) await db.close();
      },
    };
  } catch (error) {
    await mailer?.close().catch(() => undefined);
    if (ownsDb) await db.close().catch(() => undefined);
    throw error;
  }
}

/** The core's rules as this server's configuration sets them; the rest keep the core's defaults. */
export function corePolicy(config: Config): CorePolicy {
  return {
    ...defaultCorePolicy,
    sessionTtlSeconds: config.sessionTtlSeconds,
    sessionIdleSeconds: config.sessionIdleSeconds,
    emailVerificationTtlSeconds: config.emailVerificationTtlSeconds,
    issuer: config.issuer,
    emailCodeTtlSeconds: config.emailCodeTtlSeconds,
    rememberForSeconds: config.rememberForSeconds,
    stepUpWindowSeconds: config.stepUpWindowSeconds,
    factorChangeVetoSeconds: config.factorChangeVetoSeconds,
    backendlessChangeProof: config.backendlessChangeProof,
    requireEmailConfirmation: config.requireEmailConfirmation,
    concurrentLogins: { backendless: config.backendlessMultipleLogins },
    rateLimits: config.rateLimits,
    webauthn: { ...defaultCorePolicy.webauthn, id: config.webauthn.rpId, name: config.webauthn.rpName, origins: config.webauthn.origins },
    trustedDeviceTtlSeconds: config.trustedDeviceDays * 24 * 3600,
    registrationPrivacy: config.registrationPrivacy,
    factors: config.factors,
  };
}

/** Counts mails handed over and failed, without touching what they say. */
function countedMail(notifier: Notifier, metrics: Metrics): Notifier {
  return {
    async send(notice) {
      try {
        await notifier.send(notice);
        metrics.mails.inc({ result: 'sent' });
      } catch (error) {
        metrics.mails.inc({ result: 'failed' });
        throw error;
      }
    },
  };
}
