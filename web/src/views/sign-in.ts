/** Sign in with an email address or username and the password. */
import type { TwofoldClient } from '../../../src/client/index.ts';
import { onSubmit } from '../action.ts';
import { filled, within } from '../dom.ts';
import type { AfterSignIn, Page } from '../page.ts';

export function mount(root: HTMLElement, client: TwofoldClient, page: Page, next: AfterSignIn): void {
  const $ = within(root);
  const password = $<HTMLInputElement>('si-password');
  onSubmit(page, $<HTMLFormElement>('sign-in-form'), async () => {
    const login = filled($<HTMLInputElement>('si-login'), 'Enter your email address or username.');
    if (!password.value) throw new Error('Enter your password.');
    const answer = await client.signIn(login, password.value);
    password.value = '';
    await next(answer, login, 'You are signed in.');
  });
}
