/** Create an account, then sign in with it at once. */
import type { TwofoldClient } from '../../../src/client/index.ts';
import { onSubmit } from '../action.ts';
import { filled, within } from '../dom.ts';
import type { AfterSignIn, Page } from '../page.ts';
import { applyPasswordRule } from '../password-rule.ts';

export function mount(root: HTMLElement, client: TwofoldClient, page: Page, next: AfterSignIn): void {
  const $ = within(root);
  const password = $<HTMLInputElement>('su-password');

  applyPasswordRule(page, password, $('su-password-rule'));

  onSubmit(page, $<HTMLFormElement>('sign-up-form'), async () => {
    const email = filled($<HTMLInputElement>('su-email'), 'Enter your email address.');
    const username = $<HTMLInputElement>('su-username').value.trim();
    await client.register({ email, password: password.value, ...(username ? { username } : {}) });
    const answer = await client.signIn(email, password.value);
    $<HTMLFormElement>('sign-up-form').reset();
    await next(answer, email, `Welcome! We sent a link to ${email}: open it to verify your address.`);
  });
}
