/**
 * WebAuthn ceremonies of the browser (web/src/webauthn.ts with @simplewebauthn/browser), a chunk loaded on
 * first use: most visits never need it, and the sign-in form should not wait for it.
 */
type Ceremonies = typeof import('./webauthn.ts');
const load = () => import('./webauthn.ts');

/** Loads the chunk ahead of a likely ceremony, so the click does not wait for it. */
export const warmPasskeys = () => void load().catch(() => {});

export async function passkey<T>(ceremony: (webauthn: Ceremonies) => Promise<T>): Promise<T> {
  let webauthn: Ceremonies;
  try {
    webauthn = await load();
  } catch {
    throw new Error('Part of this page could not be loaded (was the server updated?). Reload the page and try again.');
  }
  return ceremony(webauthn);
}
