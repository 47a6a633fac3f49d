/** Recent security events: sign-ins, challenges, factor changes, newest first (a sign-in and its second step as one line). */
import type { TwofoldClient } from '../../../src/client/index.ts';
import { el, within } from '../dom.ts';
import { eventLines } from '../event-lines.ts';
import { clientName, formatTime } from '../text.ts';
import type { Card, CardContext } from './card.ts';

/** How many events the card lists (the account view loads as many). */
export const EVENTS_SHOWN = 15;

export function mount(root: HTMLElement, _client: TwofoldClient, _context: CardContext): Card {
  const list = within(root)('events-list');
  return {
    show({ events }) {
      list.replaceChildren(
        ...eventLines(events).map((event) => {
          const item = el('li');
          const text = el('div', event.text);
          const at = el('time', formatTime(event.at));
          at.dateTime = event.at;
          const where = el('span', '', 'hint');
          where.append(at, ` · ${event.ip ?? 'no IP'} · ${clientName(event.client)}`);
          text.append(el('br'), where);
          item.append(text);
          return item;
        }),
      );
    },
    clear: () => list.replaceChildren(),
  };
}
