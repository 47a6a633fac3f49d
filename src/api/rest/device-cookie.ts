import type { FastifyRequest } from 'fastify';
import type { IssuedDevice } from '../../core/devices/trusted-devices.ts';

/** The remembered-device token: a cookie for the account page, a header for API clients. */
export const DEVICE_COOKIE = 'twofold_device';
export const DEVICE_HEADER = 'x-twofold-device';

/** The token a sign-in presents: the header wins over the cookie. */
export function presentedDeviceToken(request: FastifyRequest): string | undefined {
  const header = request.headers[DEVICE_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  const cookies = request.headers.cookie;
  if (typeof cookies !== 'string') return undefined;
  for (const pair of cookies.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === DEVICE_COOKIE) return pair.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * The cookie that carries a device token back to sign-ins only: HttpOnly (no script reads it), SameSite
 * Strict, and with no Path: browsers then scope it to the directory of the URL that set it (…/v1/sessions),
 * which stays right under a reverse proxy's prefix.
 */
export function deviceCookie(request: FastifyRequest, issued: IssuedDevice, now: Date, publicHttps: boolean): string {
  const maxAge = Math.max(0, Math.round((issued.device.expiresAt.getTime() - now.getTime()) / 1000));
  const secure = publicHttps || request.protocol === 'https' ? '; Secure' : '';
  return `${DEVICE_COOKIE}=${issued.token}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`;
}
