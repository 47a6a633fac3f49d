import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { hashToken } from '../crypto/hash.ts';
import type { RequestContext } from '../sessions/session.ts';
import type { TrustedDevice, TrustedDeviceStore } from './store.ts';

export interface TrustedDeviceDeps {
  devices: TrustedDeviceStore;
  clock: Clock;
  /** How long a remembered device skips the second factor (0: the feature is off). */
  ttlSeconds: number;
}

export interface IssuedDevice {
  device: TrustedDevice;
  /** The bearer secret for the cookie or header: returned once, stored only as a hash. */
  token: string;
}

/**
 * The device a second factor was just answered on, to remember under `token` (written with the sign-in it
 * completes). Null when the feature is off.
 */
export function newTrustedDevice(deps: Pick<TrustedDeviceDeps, 'clock' | 'ttlSeconds'>, userId: string, context: RequestContext, token: string): IssuedDevice | null {
  if (deps.ttlSeconds <= 0) return null;
  const now = deps.clock.now();
  const device: TrustedDevice = {
    id: randomUUID(),
    userId,
    label: deviceLabel(context.userAgent ?? null),
    createdAt: now,
    expiresAt: new Date(now.getTime() + deps.ttlSeconds * 1000),
    lastUsedAt: null,
  };
  return { device, token };
}

/** The device behind a presented token, when it is trusted for this user right now. */
export async function trustedDevice(deps: TrustedDeviceDeps, userId: string, token: unknown): Promise<TrustedDevice | null> {
  if (deps.ttlSeconds <= 0 || typeof token !== 'string' || token.length < 16 || token.length > 256) return null;
  return deps.devices.use(hashToken(token), userId, deps.clock.now());
}

/** "Chrome on Linux"-style label; the raw user agent when nothing better is found. */
export function deviceLabel(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = [
    ['Edg/', 'Edge'],
    ['Firefox/', 'Firefox'],
    ['FxiOS/', 'Firefox'],
    ['CriOS/', 'Chrome'],
    ['Chrome/', 'Chrome'],
    ['Safari/', 'Safari'],
  ].find(([mark]) => userAgent.includes(mark!))?.[1];
  const system = [
    ['Android', 'Android'],
    ['iPhone', 'iOS'],
    ['iPad', 'iPadOS'],
    ['Windows', 'Windows'],
    ['Mac OS X', 'macOS'],
    ['Linux', 'Linux'],
  ].find(([mark]) => userAgent.includes(mark!))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return userAgent.slice(0, 100);
}
