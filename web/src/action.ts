/** Buttons and forms start actions; failures become sentences in the card they belong to. */
import { say } from './dom.ts';
import type { Page } from './page.ts';
import { explain, isCode } from './text.ts';

/**
 * Runs an action for a card: clears its message, marks it busy, disables the button that started it,
 * and turns a failure into a sentence (or, for an ended session, back to the sign-in form).
 */
export async function run(page: Page, card: Element, trigger: HTMLButtonElement | null, action: () => Promise<void>): Promise<void> {
  say(card, '');
  card.setAttribute('aria-busy', 'true');
  if (trigger) trigger.disabled = true;
  try {
    await action();
  } catch (error) {
    if (isCode(error, 'not_authenticated', 'session_expired')) return page.signedOut('Your session has ended. Please sign in again.');
    say(card, explain(error), true);
    const code = trigger?.form?.querySelector<HTMLInputElement>('input[name=code]');
    if (code && !code.closest('[hidden]')) code.select();
  } finally {
    card.removeAttribute('aria-busy');
    if (trigger) trigger.disabled = false;
  }
}

/** The card an element belongs to, found when the action starts (the step-up panel moves between cards). */
const cardOf = (element: HTMLElement) => element.closest('.card') ?? document.getElementById('notice')!.parentElement!;

export function onSubmit(page: Page, form: HTMLFormElement, action: () => Promise<void>): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(page, cardOf(form), form.querySelector('button[type=submit]'), action);
  });
}

export function onClick(page: Page, target: HTMLButtonElement, action: () => Promise<void> | void): void {
  target.addEventListener('click', () => void run(page, cardOf(target), target, async () => action()));
}
