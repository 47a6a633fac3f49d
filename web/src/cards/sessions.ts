/** Active sessions: where this account is signed in, each other one to revoke. */
import type { Session, TwofoldClient } from '../../../src/client/index.ts';
import { run } from '../action.ts';
import { el, say, show, within } from '../dom.ts';
import { clientName, device, formatTime } from '../text.ts';
import type { Card, CardContext } from './card.ts';

export function mount(root: HTMLElement, client: TwofoldClient, { page, stepUp, confirm, refresh }: CardContext): Card {
  const $ = within(root);
  const others = $<HTMLButtonElement>('sessions-revoke-others');

  others.addEventListener('click', () =>
    confirm.ask(root, {
      heading: 'Sign out all other sessions?',
      text: 'Every browser and app signed in to this account, except this tab, must sign in again, and trusted devices are forgotten (they ask for the second step again).',
      button: 'Sign out the others',
      go: () =>
        stepUp.guard(root, {
          hint: 'To sign out your other sessions, first confirm it is you.',
          run: (proof) => client.revokeOtherSessions(proof),
          done: async () => {
            await refresh();
            say(root, 'Your other sessions are signed out and trusted devices forgotten.');
            $('h-sessions').focus();
          },
        }),
    }),
  );

  function row(session: Session): HTMLLIElement {
    const item = el('li');
    const text = el('div');
    const name = el('strong', device(session.userAgent));
    if (session.userAgent) name.title = session.userAgent;
    text.append(name);
    if (session.current) text.append(' ', el('span', 'this browser', 'badge'));
    text.append(
      el('br'),
      el('span', `${session.ip ?? 'unknown IP'} · ${clientName(session.client)} · signed in ${formatTime(session.createdAt)} · last seen ${formatTime(session.lastSeenAt)}`, 'hint'),
    );
    item.append(text);
    if (session.current) return item;
    const revoke = el('button', 'Revoke', 'quiet');
    revoke.type = 'button';
    revoke.setAttribute('aria-label', `Revoke the session of ${device(session.userAgent)}, last seen ${formatTime(session.lastSeenAt)}`);
    revoke.addEventListener('click', () =>
      void run(page, root, revoke, async () => {
        await client.revokeSession(session.id);
        await refresh();
        say(root, 'The session is revoked.');
      }),
    );
    item.append(revoke);
    return item;
  }

  return {
    show({ sessions }) {
      $('sessions-list').replaceChildren(...sessions.map(row));
      show(others, sessions.length > 1);
    },
    clear() {
      $('sessions-list').replaceChildren();
      say(root, '');
    },
  };
}
