/** The email address: verified or not, and the verification link sent again. */
import type { TwofoldClient, User } from '../../../src/client/index.ts';
import { onClick, run } from '../action.ts';
import { say, show, within } from '../dom.ts';
import { isCode } from '../text.ts';
import type { Card, CardContext } from './card.ts';

export function mount(root: HTMLElement, client: TwofoldClient, { page, refresh }: CardContext): Card {
  const $ = within(root);
  let user: User | null = null;

  // Coming back from the verification mail (another tab): look again.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && user && !user.emailVerified && !root.closest('[hidden]')) void run(page, root, null, refresh);
  });

  onClick(page, $<HTMLButtonElement>('email-recheck'), async () => {
    await refresh();
    say(root, user?.emailVerified ? 'Thank you: your address is verified.' : 'Not verified yet. Open the link in the email we sent.');
  });

  onClick(page, $<HTMLButtonElement>('email-resend'), async () => {
    try {
      await client.resendVerification();
      say(root, `We sent a new link to ${user?.email}.`);
    } catch (error) {
      if (!isCode(error, 'email_already_verified')) throw error;
      await refresh();
    }
  });

  return {
    show(data) {
      user = data.user;
      $('email-address').textContent = user.email;
      const badge = $('email-badge');
      badge.textContent = user.emailVerified ? 'verified' : 'not verified';
      badge.classList.toggle('warn', !user.emailVerified);
      show($('email-unverified'), !user.emailVerified);
    },
    clear() {
      user = null;
      $('email-address').textContent = '';
      say(root, '');
    },
  };
}
