/** Passkeys and security keys: add one (a proof first, if the account has a factor), list them, remove one. */
import type { TwofoldClient } from '../../../src/client/index.ts';
import { onSubmit, run } from '../action.ts';
import { el, FieldError, filled, say, show, within } from '../dom.ts';
import { passkey } from '../passkey.ts';
import { ENDS_OTHER_SESSIONS, formatTime, heldText } from '../text.ts';
import type { AccountData, Card, CardContext } from './card.ts';

export function mount(root: HTMLElement, client: TwofoldClient, { page, stepUp, confirm, refresh }: CardContext): Card {
  const $ = within(root);
  const name = $<HTMLInputElement>('webauthn-name');

  // Creation options (perhaps after a proof), the browser's ceremony, then the server's check.
  onSubmit(page, $<HTMLFormElement>('webauthn-add-form'), async () => {
    const keyName = freeName(name, null, 'Give the new key a name, such as “Work laptop” or “Blue YubiKey”.');
    await stepUp.guard(root, {
      hint: 'To add a passkey or security key, first confirm it is you.',
      run: async (proof) => {
        const optionsJSON = await client.webauthn.registrationOptions(proof);
        return client.webauthn.register(keyName, await passkey((webauthn) => webauthn.register(optionsJSON)));
      },
      done: async (added) => {
        name.value = '';
        await refresh();
        // 202 under the veto window: the key is stored when the window is over.
        if ('pendingUntil' in added) say(root, heldText(`Adding “${added.credential.name}”`, added.pendingUntil));
        else say(root, `“${added.name}” is added. You can use it the next time you sign in.`);
      },
    });
  });

  type Key = AccountData['credentials'][number];
  let keys: Key[] = [];
  const usedText = (key: Key) => (key.lastUsedAt ? `last used ${formatTime(key.lastUsedAt)}` : 'never used');

  /** A name no other key of this account has (the server checks again: `webauthn_name_taken`). */
  function freeName(field: HTMLInputElement, exceptId: string | null, message: string): string {
    const typed = filled(field, message);
    if (keys.some((k) => k.id !== exceptId && k.name.toLowerCase() === typed.toLowerCase())) {
      throw new FieldError(field, 'Another of your passkeys or security keys has this name. Choose another name.');
    }
    return typed;
  }

  /** The row's name becomes a small form: the new name, Save, Cancel. */
  function renameForm(key: Key, item: HTMLLIElement, shown: HTMLElement[]): void {
    const form = el('form', '', 'rename');
    form.noValidate = true;
    const field = el('input');
    Object.assign(field, { id: `rename-${key.id}`, value: key.name, maxLength: 64, autocomplete: 'off', spellcheck: false, required: true });
    const label = el('label', `New name for “${key.name}”`);
    label.htmlFor = field.id;
    const save = el('button', 'Save name', 'primary');
    save.type = 'submit';
    const cancel = el('button', 'Cancel', 'quiet');
    cancel.type = 'button';
    const actions = el('div', '', 'actions');
    actions.append(save, cancel);
    form.append(label, field, actions);
    for (const element of shown) show(element, false);
    item.prepend(form);
    field.select();
    const back = () => {
      form.remove();
      for (const element of shown) show(element, true);
    };
    cancel.addEventListener('click', () => {
      back();
      item.querySelector<HTMLButtonElement>('button.rename')?.focus();
    });
    onSubmit(page, form, async () => {
      const name = freeName(field, key.id, 'Enter a name.');
      const renamed = await client.webauthn.rename(key.id, name);
      await refresh();
      say(root, `Renamed to “${renamed.name}”.`);
      $<HTMLElement>('h-webauthn').focus();
    });
  }

  function row(key: Key): HTMLLIElement {
    const item = el('li');
    const text = el('div');
    text.append(el('strong', key.name), ' ', el('span', key.backedUp ? 'synced' : 'not synced', 'badge'));
    text.append(el('br'), el('span', `added ${formatTime(key.createdAt)} · ${usedText(key)}`, 'hint'));
    const buttons = el('div', '', 'row-actions');
    const rename = el('button', 'Rename', 'quiet rename');
    rename.type = 'button';
    rename.setAttribute('aria-label', `Rename ${key.name}, added ${formatTime(key.createdAt)}`);
    rename.addEventListener('click', () => renameForm(key, item, [text, buttons]));
    const remove = el('button', 'Remove', 'danger');
    remove.type = 'button';
    remove.setAttribute('aria-label', `Remove ${key.name}, added ${formatTime(key.createdAt)}`);
    remove.addEventListener('click', () =>
      confirm.ask(root, {
        heading: `Remove “${key.name}”?`,
        text: `The one added ${formatTime(key.createdAt)}, ${usedText(key)}. It will no longer sign you in. ${ENDS_OTHER_SESSIONS}`,
        button: 'Remove',
        go: () =>
          stepUp.guard(root, {
            hint: `To remove “${key.name}” (added ${formatTime(key.createdAt)}), confirm it is you.`,
            danger: true,
            run: (proof) => client.webauthn.remove(key.id, proof),
            done: async (held) => {
              await refresh();
              say(root, held ? heldText(`Removing “${key.name}”`, held.pendingUntil) : `“${key.name}” is removed. Your other sessions were signed out and trusted devices forgotten.`);
              $<HTMLElement>('h-webauthn').focus();
            },
          }),
      }),
    );
    buttons.append(rename, remove);
    item.append(text, buttons);
    return item;
  }

  return {
    show({ credentials }) {
      keys = credentials;
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
