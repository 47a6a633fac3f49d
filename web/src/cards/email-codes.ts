/** Email codes as a second factor: on (the server may want a proof first) and off (it always does). */
import type { TwofoldClient } from '../../../src/client/index.ts';
import { onClick } from '../action.ts';
import { say, show, within } from '../dom.ts';
import { ENDS_OTHER_SESSIONS, heldText } from '../text.ts';
import type { Card, CardContext } from './card.ts';

export function mount(root: HTMLElement, client: TwofoldClient, { page, stepUp, confirm, refresh }: CardContext): Card {
  const $ = within(root);

  onClick(page, $<HTMLButtonElement>('email2fa-on'), () =>
    stepUp.guard(root, {
      hint: 'To turn on email codes, first confirm it is you.',
      run: (proof) => client.email2fa.enable(proof),
      done: async ({ pendingUntil }) => {
        await refresh();
        say(root, pendingUntil ? heldText('Turning on email codes', pendingUntil) : 'Email codes are on.');
      },
    }),
  );

  const turnOff = () =>
    stepUp.guard(root, {
      hint: 'To turn email codes off, confirm it is you.',
      labels: {
        totp: 'To turn email codes off, enter a code from your authenticator app',
        email: 'To turn email codes off, enter the code we just emailed you',
      },
      submit: 'Turn off email codes',
      danger: true,
      run: (proof) => client.email2fa.disable(proof),
      done: async (held) => {
        await refresh();
        say(root, held ? heldText('Turning off email codes', held.pendingUntil) : 'Email codes are off.');
        $('h-email2fa').focus();
      },
    });

  $('email2fa-off').addEventListener('click', () =>
    confirm.ask(root, {
      heading: 'Turn off email codes?',
      text: `Signing in then no longer offers a code by email. ${ENDS_OTHER_SESSIONS}`,
      button: 'Turn off email codes',
      go: turnOff,
    }),
  );

  return {
    show({ user }) {
      const on = user.emailCodesEnabled;
      $('email2fa-status').textContent = on
        ? 'On. When you sign in, you can ask for a code by email.'
        : user.emailVerified
          ? 'Off. Turn them on to sign in with a code sent to your email address.'
          : 'Off. Verify your email address to use email codes.';
      show($('email2fa-on'), !on && user.emailVerified); // a code could not reach an unverified address
      show($('email2fa-off'), on);
    },
    clear: () => say(root, ''),
  };
}
