/**
 * The session token lives in sessionStorage: this tab only, gone when it closes, never in a URL. (The
 * trusted-device token is an HttpOnly cookie the server sets: this page never sees it.)
 */
const KEY = 'twofold.session';

export function savedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // storage refused (private mode): the token stays in memory for this page
  }
}
