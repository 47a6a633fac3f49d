/** Passkeys and security keys: add one (a proof first, if the account has a factor), list them, remove one. */
import type { TwofoldClient } from '../../../src/client/index.ts';
import { onSubmit, run } from '../action.ts';
import { el, filled, say, within } from '../dom.ts';
import { passkey } from '../passkey.ts';
import { formatTime } from '../text.ts';
import type { AccountData, Card, CardContext } from './card.ts';

export function mount(root: HTMLElement, client: TwofoldClient, { page, stepUp, refresh }: CardContext): Card {
  const $ = within(root);
  const name = $<HTMLInputElement>('webauthn-name');

  // Creation options (perhaps after a proof), the browser's ceremony, then the server's check.
  onSubmit(page, $<HTMLFormElement>('webauthn-add-form'), async () => {
    const keyName = filled(name, 'Give the new key a name, such as “Work laptop” or “Blue YubiKey”.');
    await stepUp.guard(root, {
      hint: 'To add a passkey or security key, first confirm it is you.',
      run: async (proof) => {
        const optionsJSON = await client.webauthn.registrationOptions(proof);
        return client.webauthn.register(keyName, await passkey((webauthn) => webauthn.register(optionsJSON)));
      },
      done: async (key) => {
        name.value = '';
        await refresh();
        say(root, `“${key.name}” is added. You can use it the next time you sign in.`);
      },
    });
  });

  function row(key: AccountData['credentials'][number]): HTMLLIElement {
    const item = el('li');
    const text = el('div');
    text.append(el('strong', key.name), ' ', el('span', key.backedUp ? 'synced' : 'not synced', 'badge'));
    text.append(el('br'), el('span', `added ${formatTime(key.createdAt)} · ${key.lastUsedAt ? `last used ${formatTime(key.lastUsedAt)}` : 'never used'}`, 'hint'));
    const remove = el('button', 'Remove', 'danger');
    remove.type = 'button';
    remove.setAttribute('aria-label', `Remove ${key.name}, added ${formatTime(key.createdAt)}`);
    remove.addEventListener('click', () =>
      void run(page, root, remove, () =>
        stepUp.guard(root, {
          hint: `To remove “${key.name}”, confirm it is you.`,
          run: (proof) => client.webauthn.remove(key.id, proof),
          done: async () => {
            await refresh();
            say(root, `“${key.name}” is removed. Your other sessions were signed out and trusted devices forgotten.`);
          },
        }),
      ),
    );
    item.append(text, remove);
    return item;
  }

  return {
    show({ credentials: keys }) {
      $('webauthn-status').textContent =
        keys.length === 0
          ? 'None yet. A passkey (on this device or your phone) or a security key signs you in with a touch, your fingerprint or your screen lock, instead of a code.'
          : `${keys.length === 1 ? 'One key' : `${keys.length} keys`}. When you sign in, you can use ${keys.length === 1 ? 'it' : 'any of them'} instead of a code.`;
      $('webauthn-list').replaceChildren(...keys.map(row));
    },
    clear() {
      name.value = '';
      $('webauthn-list').replaceChildren();
      say(root, '');
    },
  };
}
