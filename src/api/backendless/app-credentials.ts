import { constantTimeEqual } from '../../core/crypto/constant-time.ts';
import { TwofoldError } from '../../core/errors.ts';

export interface AppCredentials {
  appId: string;
  apiKey: string;
}

/** Checks the `/<appId>/<apiKey>/` prefix the SDK puts on every URL, without a timing side channel. */
export function checkAppCredentials(expected: AppCredentials, appId: string, apiKey: string): void {
  const idOk = constantTimeEqual(Buffer.from(appId), Buffer.from(expected.appId));
  const keyOk = constantTimeEqual(Buffer.from(apiKey), Buffer.from(expected.apiKey));
  if (!idOk || !keyOk) throw new TwofoldError('invalid_app_credentials');
}
