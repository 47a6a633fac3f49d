import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppCredentials } from '../api/backendless/app-credentials.ts';
import type { Config } from '../config.ts';
import type { SettingsStore } from '../store/settings-store.ts';

/**
 * The Backendless app id and REST API key: from TWOFOLD_APP_ID / TWOFOLD_API_KEY, else generated on the
 * first start and kept in the database, so every instance and every restart agrees.
 */
export async function resolveAppCredentials(config: Config, settings: SettingsStore, logger: Logger): Promise<AppCredentials> {
  const appId = config.backendlessAppId ?? (await settings.getOrInit('backendless.app_id', randomUUID().toUpperCase()));
  const apiKey = config.backendlessApiKey ?? (await settings.getOrInit('backendless.api_key', randomUUID().toUpperCase()));
  if (!config.backendlessAppId || !config.backendlessApiKey) {
    logger.info({ appId, apiKey }, 'Backendless app id and REST API key (set TWOFOLD_APP_ID / TWOFOLD_API_KEY to choose them)');
  }
  return { appId, apiKey };
}
