/** Trusted devices: browsers that skip the second step until a date, each one to forget. */
import type { TwofoldClient } from '../../../src/client/index.ts';
import { run } from '../action.ts';
import { el, say, show, within } from '../dom.ts';
import { formatTime } from '../text.ts';
import type { AccountData, Card, CardContext } from './card.ts';

export function mount(root: HTMLElement, client: TwofoldClient, { page, refresh }: CardContext): Card {
  const $ = within(root);

  function row(device: AccountData['devices'][number]): HTMLLIElement {
    const item = el('li');
    const text = el('div');
    const label = device.label || 'Unknown device';
    const used = device.lastUsedAt ? `last used ${formatTime(device.lastUsedAt)}` : 'not used since';
    text.append(el('strong', label), el('br'), el('span', `remembered ${formatTime(device.createdAt)} · ${used} · until ${formatTime(device.expiresAt)}`, 'hint'));
    const forget = el('button', 'Forget', 'quiet');
    forget.type = 'button';
    forget.setAttribute('aria-label', `Forget ${label}, remembered ${formatTime(device.createdAt)}`);
    forget.addEventListener('click', () =>
      void run(page, root, forget, async () => {
        await client.devices.revoke(device.id);
        await refresh();
        say(root, `${label} is forgotten: signing in there asks for the second step again.`);
      }),
    );
    item.append(text, forget);
    return item;
  }

  return {
    show({ devices }) {
      show($('devices-empty'), devices.length === 0);
      $('devices-list').replaceChildren(...devices.map(row));
    },
    clear() {
      $('devices-list').replaceChildren();
      say(root, '');
    },
  };
}
