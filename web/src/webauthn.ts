/**
 * The browser side of WebAuthn: @simplewebauthn/browser's ceremonies, and their failures in words. A chunk
 * of its own that main.ts loads on first use: the sign-in form of most visits never needs it.
 */
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/browser';

/**
 * A sentence for a ceremony the browser refused: `navigator.credentials.create/get` reject with a
 * DOMException, whose name @simplewebauthn/browser keeps. Null for anything else.
 */
export function ceremonyFailure(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  switch (error.name) {
    case 'NotAllowedError':
      return 'The passkey or security key request was cancelled or timed out. Nothing changed: try again when you are ready.';
    case 'AbortError':
      return 'The passkey or security key request was interrupted. Try again.';
    case 'InvalidStateError':
      return 'This passkey or security key is already registered for your account.';
    case 'SecurityError':
      return 'The browser refused to use a passkey on this address. Passkeys need the address the server is set up with (its PUBLIC_URL), on https or localhost, not an IP address.';
    case 'NotSupportedError':
      return 'This passkey or security key cannot do what the server asks for. Try another one.';
    case 'ConstraintError':
      return 'This passkey or security key cannot check that it is you (PIN, fingerprint or screen lock). Try another one.';
    case 'UnknownError':
      return 'The passkey or security key reported an error. Try again, or try another one.';
    default:
      return null;
  }
}

async function ceremony<T>(run: () => Promise<T>): Promise<T> {
  if (!browserSupportsWebAuthn()) throw new Error('This browser does not support passkeys or security keys. Use a code, or another browser.');
  try {
    return await run();
  } catch (error) {
    const sentence = ceremonyFailure(error);
    if (!sentence) throw error;
    const failure = new Error(sentence, { cause: error });
    failure.name = (error as Error).name;
    throw failure;
  }
}

/** Asks the browser for an assertion: signing in, or confirming a protected operation. */
export const authenticate = (optionsJSON: PublicKeyCredentialRequestOptionsJSON): Promise<AuthenticationResponseJSON> =>
  ceremony(() => startAuthentication({ optionsJSON }));

/** Asks the browser to create a new credential. */
export const register = (optionsJSON: PublicKeyCredentialCreationOptionsJSON): Promise<RegistrationResponseJSON> =>
  ceremony(() => startRegistration({ optionsJSON }));
