/**
 * The enforcement policy's banner at the top of the account: a second factor is required of this account, by a
 * deadline (in the grace period), or now (past it: the session can only set one up). It leads to the setup: the
 * first time it shows, and from its button, focus moves to the authenticator card's "set up" button.
 */
import type { Success } from '../../../src/client/index.ts';
import { show, within } from '../dom.ts';
import { formatTime } from '../text.ts';

export type SetupRequired = Success<'/v1/me', 'get'>['setupRequired'];

export function mount(view: HTMLElement) {
  const $ = within(view);
  const banner = $('setup-banner');
  const lead = () => $('totp-start').focus();
  $('setup-go').onclick = lead;
  let led = false;

  return {
    show(required: SetupRequired): void {
      show(banner, !!required);
      if (!required) return;
      banner.classList.toggle('restricted', required.restricted);
      $('setup-text').textContent = `Your account needs a second factor by ${formatTime(required.deadline)}. Set one up below${
        required.restricted ? ': until then, nothing else works' : ''
      }.`;
      // The cards are shown first: the set-up button is there.
      if (!led) lead();
      led = true;
    },
    /** On sign-out: the next account leads again (its `show` hides or shows the banner). */
    clear(): void {
      led = false;
    },
  };
}
