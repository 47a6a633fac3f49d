/** The signed-in view: loads the account once per refresh and shows it in every card. */
import type { TwofoldClient } from '../../../src/client/index.ts';
import type { AccountData, Card, CardContext, MountCard } from '../cards/card.ts';
import * as devices from '../cards/devices.ts';
import * as emailAddress from '../cards/email-address.ts';
import * as emailCodes from '../cards/email-codes.ts';
import * as events from '../cards/events.ts';
import * as passkeys from '../cards/passkeys.ts';
import * as pendingChanges from '../cards/pending-changes.ts';
import * as password from '../cards/password.ts';
import * as sessions from '../cards/sessions.ts';
import * as setupBanner from '../cards/setup-banner.ts';
import * as totp from '../cards/totp.ts';
import { within } from '../dom.ts';
import type { Page } from '../page.ts';
import * as confirm from '../confirm.ts';
import * as stepUp from '../step-up.ts';

/** Each card and the element it lives in, in page order. */
const CARDS: Array<[string, MountCard]> = [
  ['card-pending', pendingChanges.mount],
  ['card-email', emailAddress.mount],
  ['card-password', password.mount],
  ['card-totp', totp.mount],
  ['card-email-codes', emailCodes.mount],
  ['card-passkeys', passkeys.mount],
  ['card-devices', devices.mount],
  ['card-sessions', sessions.mount],
  ['card-events', events.mount],
];

/** One line over the cards: is a second step asked at sign-in, and with what (issue 20: with the app and email codes
 * off, nothing else said that a passkey is still required). */
function summary(data: AccountData): string {
  const on = [
    ...(data.totp.enabled ? ['authenticator app'] : []),
    ...(data.user.emailCodesEnabled ? ['email codes'] : []),
    ...(data.credentials.length === 1 ? ['passkey'] : data.credentials.length > 1 ? [`${data.credentials.length} passkeys`] : []),
  ];
  return on.length > 0 ? `Two-step verification: on — ${on.join(', ')}.` : 'Two-step verification: off — signing in asks for your password only.';
}

async function load(client: TwofoldClient): Promise<AccountData> {
  // Past the enforcement deadline the session may only set up a factor: what it may not read is shown empty.
  const { user, setupRequired, pendingFactorChanges = [] } = await client.me();
  const open = !setupRequired?.restricted;
  const [totpStatus, { sessions: live }, { events: recent }, { credentials }, { devices: trusted }] = await Promise.all([
    client.totp.status(),
    open ? client.sessions() : { sessions: [] },
    open ? client.events(events.EVENTS_SHOWN) : { events: [] },
    client.webauthn.list(),
    open ? client.devices.list() : { devices: [] },
  ]);
  return { user, setupRequired, pendingFactorChanges, totp: totpStatus, sessions: live, events: recent, credentials, devices: trusted };
}

/** `who` is the header's "signed in as". */
export function mount(root: HTMLElement, client: TwofoldClient, page: Page, who: HTMLElement) {
  const $ = within(root);
  const context: CardContext = { page, stepUp: stepUp.mount($('step-up'), page), confirm: confirm.mount($('confirm'), page), refresh };
  const cards: Card[] = CARDS.map(([id, mountCard]) => mountCard($(id), client, context));
  const banner = setupBanner.mount(root);

  async function refresh(): Promise<void> {
    const data = await load(client);
    who.textContent = data.user.username ?? data.user.email;
    $('status-summary').textContent = summary(data);
    for (const card of cards) card.show(data);
    banner.show(data.setupRequired);
  }

  return {
    refresh,
    clear(): void {
      context.stepUp.close();
      context.confirm.close();
      who.textContent = '';
      $('status-summary').textContent = '';
      for (const card of cards) card.clear();
      banner.clear();
    },
  };
}
