/**
 * "Are you sure?" before an action that takes something away: what it ends (other sessions, remembered devices) is
 * said here, before the user confirms, not in the message after. One panel, moved into the card that asks; the
 * proof the server may then want comes next, in the step-up panel.
 */
import { onClick } from './action.ts';
import { say, show, within } from './dom.ts';
import type { Page } from './page.ts';

export interface ConfirmRequest {
  heading: string;
  /** What the action does and ends. */
  text: string;
  /** The confirming button's label, e.g. "Remove". */
  button: string;
  go(): Promise<void>;
}

export interface Confirm {
  ask(card: HTMLElement, request: ConfirmRequest): void;
  close(): void;
}

export function mount(root: HTMLElement, page: Page): Confirm {
  const $ = within(root);
  let current: ConfirmRequest | null = null;

  function close(): void {
    current = null;
    show(root, false);
  }

  onClick(page, $<HTMLButtonElement>('confirm-go'), async () => {
    const request = current;
    close();
    if (request) await request.go();
  });

  $('confirm-cancel').addEventListener('click', () => {
    const host = root.closest<HTMLElement>('.card');
    close();
    host?.querySelector<HTMLElement>('h2')?.focus();
  });

  return {
    ask(card, request) {
      current = request;
      card.insertBefore(root, card.querySelector(':scope > .msg'));
      say(card, '');
      $('h-confirm').textContent = request.heading;
      $('confirm-text').textContent = request.text;
      $('confirm-go').textContent = request.button;
      show(root, true);
      $('h-confirm').focus();
    },
    close,
  };
}
