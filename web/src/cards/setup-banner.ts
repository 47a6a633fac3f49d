/**
 * The enforcement policy's banner at the top of the account: a second factor is required of this account, by a
 * deadline (still in the grace period), or now (past it: the session can only set one up until then). It leads to
 * the setup: the first time it shows, focus moves to the authenticator card's "set up" button.
 */
import type { Success } from '../../../src/client/index.ts';
import { el, show } from '../dom.ts';
import { formatTime } from '../text.ts';

export type SetupRequired = Success<'/v1/me', 'get'>['setupRequired'];

export function mount(view: HTMLElement) {
  const banner = el('div', '', 'card banner');
  banner.id = 'setup-banner';
  banner.setAttribute('role', 'status');
  const title = el('h2', 'Set up a second factor');
  title.id = 'h-setup-banner';
  title.tabIndex = -1;
  const text = el('p');
  const go = el('button', 'Set it up now', 'primary');
  go.type = 'button';
  banner.append(title, text, go);
  show(banner, false);
  view.querySelector('h1')?.after(banner);

  const setupCard = () => view.querySelector<HTMLElement>('#card-totp');
  /** Focus on the setup; `scroll`: bring the card to the top (the banner's button), else only as far as focus needs. */
  function lead(scroll: boolean): void {
    const card = setupCard();
    if (scroll) card?.scrollIntoView({ block: 'start' });
    (card?.querySelector<HTMLButtonElement>('#totp-start:not([hidden])') ?? card?.querySelector<HTMLElement>('h2'))?.focus();
  }
  go.addEventListener('click', () => lead(true));
  let led = false;

  return {
    show(required: SetupRequired): void {
      show(banner, required !== undefined);
      banner.classList.toggle('restricted', required?.restricted === true);
      if (!required) return;
      const deadline = formatTime(required.deadline);
      text.textContent = required.restricted
        ? `Your account must have a second factor, and the time to set one up ended on ${deadline}. ` +
          'Set up an authenticator app, email codes or a passkey below: until you do, this session can do nothing else.'
        : `Your account must have a second factor by ${deadline}. Set up an authenticator app, email codes or a passkey ` +
          'below: after that date, signing in leads here until you do.';
      if (!led) {
        led = true;
        // After the view has shown its cards: the setup button is only there once the card knows the state.
        requestAnimationFrame(() => lead(false));
      }
    },
    clear(): void {
      led = false;
      show(banner, false);
      text.textContent = '';
    },
  };
}
