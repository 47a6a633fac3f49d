/**
 * "Forgot password?": ask for a link by email, then choose a new password from the link (`#reset=<token>`, read
 * by main.ts and dropped from the address bar). Nobody is signed in by a reset: the user signs in next, with the
 * second step if the account has one.
 */
import type { TwofoldClient } from '../../../src/client/index.ts';
import { onSubmit } from '../action.ts';
import { filled, say, within } from '../dom.ts';
import type { Page } from '../page.ts';
import { applyPasswordRule, newPassword } from '../password-rule.ts';
import { duration, explain, isCode } from '../text.ts';

export function mountForgot(root: HTMLElement, client: TwofoldClient, page: Page) {
  const $ = within(root);
  const form = $<HTMLFormElement>('forgot-form');
  const email = $<HTMLInputElement>('fp-email');

  onSubmit(page, form, async () => {
    const address = filled(email, 'Enter the email address of your account.');
    const { linkValidSeconds } = await client.requestPasswordReset(address);
    // The same answer for any address: nobody learns here who has an account.
    say(form, `If an account uses ${address}, a link to choose a new password is on its way. It works for ${duration(linkValidSeconds)}.`);
  });

  return {
    /** Shows the form, with the address typed at sign-in when it is one. */
    start(login: string): void {
      if (login.includes('@')) email.value = login;
      say(form, '');
      page.go('forgot');
    },
  };
}

export function mountReset(root: HTMLElement, client: TwofoldClient, page: Page) {
  const $ = within(root);
  const form = $<HTMLFormElement>('reset-form');
  const password = $<HTMLInputElement>('rp-password');
  /** The token of the link followed, in memory only. */
  let token: string | null = null;

  applyPasswordRule(page, password, $('rp-password-rule'));

  onSubmit(page, form, async () => {
    if (!token) return page.go('forgot', 'Ask for a new link to choose a new password.');
    const chosen = newPassword(password);
    try {
      await client.resetPassword(token, chosen);
    } catch (error) {
      if (!isCode(error, 'reset_token_invalid')) throw error;
      token = null;
      return page.go('forgot', explain(error), true);
    }
    token = null;
    form.reset();
    page.go('sign-in', 'Your password is changed and every session was signed out. Sign in with the new password.');
  });

  return {
    /** Shows the form for the token of a reset link. */
    start(linkToken: string): void {
      token = linkToken;
      form.reset();
      say(form, '');
      page.go('reset');
      password.focus();
    },
  };
}
