/**
 * The veto window (FACTOR_CHANGE_VETO_SECONDS): factor changes that wait before they take effect, so that a stolen
 * session cannot quietly swap the authenticator. Shown only while there are some, with what each does and when, and
 * where to stop one: the "this wasn't me" link in the mail the owner got (the page cannot cancel it: whoever holds
 * this session may be the thief).
 */
import type { TwofoldClient } from '../../../src/client/index.ts';
import { el, show, within } from '../dom.ts';
import { formatTime, pendingChangeText } from '../text.ts';
import type { Card } from './card.ts';

export function mount(root: HTMLElement, _client: TwofoldClient): Card {
  const $ = within(root);
  return {
    show({ pendingFactorChanges }) {
      show(root, pendingFactorChanges.length > 0);
      $('pending-list').replaceChildren(
        ...pendingFactorChanges.map((change) => {
          // One block per row (rows lay their children side by side, as a key and its buttons).
          const text = el('div');
          text.append(el('strong', pendingChangeText(change)), el('br'));
          text.append(el('span', `Takes effect on ${formatTime(change.applyAt)} · asked for ${formatTime(change.requestedAt)}`, 'hint'));
          const item = el('li');
          item.append(text);
          return item;
        }),
      );
    },
    clear() {
      show(root, false);
      $('pending-list').replaceChildren();
    },
  };
}
