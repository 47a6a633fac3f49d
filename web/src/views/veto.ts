/**
 * "This wasn't me" from a factor-change mail (`#veto=<token>`, read by main.ts and dropped from the address bar). It
 * asks once more before posting the token: cancelling signs out every session and locks the account until an
 * administrator unlocks it, which the owner should choose knowingly (a mail scanner following links cannot).
 */
import type { TwofoldClient } from '../../../src/client/index.ts';
import { onSubmit } from '../action.ts';
import { say, within } from '../dom.ts';
import type { Page } from '../page.ts';
import { explain, isCode } from '../text.ts';

export const VETO_DONE =
  'The change is cancelled. Every session of your account is signed out and the account is locked: ask your administrator to unlock it, then choose a new password.';

/** `leave`: back to what the page shows without a link (the account, or sign-in). */
export function mount(root: HTMLElement, client: TwofoldClient, page: Page, leave: () => void) {
  const $ = within(root);
  const form = $<HTMLFormElement>('veto-form');
  /** The token of the link followed, in memory only. */
  let token: string | null = null;

  onSubmit(page, form, async () => {
    if (!token) return leave();
    try {
      await client.vetoFactorChange(token);
    } catch (error) {
      if (!isCode(error, 'veto_token_invalid')) throw error;
      token = null;
      return page.go('sign-in', explain(error), true);
    }
    token = null;
    page.signedOut(VETO_DONE);
  });

  $('veto-keep').addEventListener('click', () => {
    token = null;
    leave();
  });

  return {
    /** Shows the question for the token of a veto link. */
    start(linkToken: string): void {
      token = linkToken;
      say(form, '');
      page.go('veto');
    },
  };
}
