/** What the views and cards of the account page share, passed to each `mount` explicitly (no module state). */
import type { Success } from '../../src/client/index.ts';

export type ViewName = 'sign-in' | 'sign-up' | 'forgot' | 'reset' | 'veto' | 'second-factor' | 'account';

/** The password rule and lifetimes the server is configured with (`GET /v1/policy`). */
export type Policy = Success<'/v1/policy', 'get'>;

export interface Page {
  /** Shows a view, with a message in the page's notice line. */
  go(view: ViewName, message?: string, error?: boolean): void;
  /** Writes (or, empty, clears) the page's notice line. */
  notice(message: string, error?: boolean): void;
  /** The server's policy, asked for once (again after a failure). */
  policy(): Promise<Policy>;
  /** A session began (its token is in the client): keep it for this tab and show the account. */
  signedIn(message: string): Promise<void>;
  /** The session ended (signed out, expired or revoked): forget it and everything shown. */
  signedOut(message: string): void;
}

/** The answer to a password sign-in: a session (201), or a transaction waiting for the second factor (202). */
export type SignInAnswer = Success<'/v1/sessions', 'post'>;

/** Where a sign-in or sign-up goes on: the account, or the second step. */
export type AfterSignIn = (answer: SignInAnswer, login: string, message: string) => Promise<void>;
